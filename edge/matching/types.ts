import type { SessionClaim } from '../db/request-claims'
import type { DefaultReason, Integration, RequestAttribution, Session } from '../db/schema'
import type { DrawerSighting, HashSighting } from '../db/visits'
import type { CampaignRules } from './campaigns'

/** An online booking as the matching sees it; the import derives it from the Medods appointment. */
export type Booking = {
  medodsAppointmentId: number
  /** Medods' creation time; null when Medods gave none (the window rung cannot apply then). */
  createdAt: Date | null
  /** `createdAt`, else when an import first saw the booking: the contact rung's "before". */
  at: Date
  /** Session ids (UUIDs) written into the booking's note or the patient's comment. */
  carriedIds: string[]
  /** Stored (keyed) hashes of the booking's normalised phone and email. */
  contactHashes: string[]
}

/** What a page of bookings is matched against, gathered by the import in a few queries per page. */
export type Evidence = {
  carried: Session[]
  sightings: HashSighting[]
  drawers: DrawerSighting[]
  campaigns: CampaignRules[]
  /** Stored requests of the integration that name one of the page's window candidates. */
  claims: SessionClaim[]
}

export type MatchSettings = Pick<
  Integration,
  | 'lookbackDays'
  | 'windowBeforeMinutes'
  | 'windowAfterMinutes'
  | 'defaultCampaignId'
  | 'defaultSourceId'
  | 'defaultSiteId'
  | 'bookingWindowRung'
>

export type MatchMethod = 'session_id' | 'contact' | 'booking_window' | 'default'

/** One booking's sessions per rung, each list de-duplicated. */
export type Candidates = { carried: Session[]; byContact: Session[]; inWindow: Session[] }

export type Match = {
  method: MatchMethod
  candidates: number
  sessionId: string | null
  /** Why a default is a default; null for a match. */
  reason: DefaultReason | null
}

export type Attributed = Match & {
  campaignId: string | null
  sourceId: string | null
  siteId: string | null
  attribution: RequestAttribution | null
}
