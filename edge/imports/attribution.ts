import type { Integration, RequestAttribution, Session } from '../db/schema'
import type { BookingOpen, HashSighting } from '../db/sessions'
import { resolveCampaign, type CampaignRules } from './campaigns'
import type { SessionClaim } from '../db/request-claims'
import { matchBooking, type LadderInput, type LadderMatch } from './ladder'
import type { Booking } from './transform'

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

/** What a page of bookings was matched against, gathered in a few queries per page. */
export type PageEvidence = {
  carried: Session[]
  sightings: HashSighting[]
  opens: BookingOpen[]
  campaigns: CampaignRules[]
  /** Sessions that stored requests already name, with their appointments (see `findSessionClaims`). */
  claims?: SessionClaim[]
}

export type Attributed = LadderMatch & {
  campaignId: string | null
  sourceId: string | null
  siteId: string | null
  attribution: RequestAttribution | null
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

const candidate = (s: Session) => ({ id: s.id, startedAt: s.startedAt.getTime(), touchType: s.touchType })

/** The ladder's candidates for one booking, picked out of the page's evidence. Pure. */
export function candidatesFor(
  booking: Booking & { contactHashes: string[]; carriedIds: string[] },
  at: Date,
  evidence: PageEvidence,
  settings: MatchSettings
) {
  const time = at.getTime()
  const ids = new Set(booking.carriedIds)
  const hashes = new Set(booking.contactHashes)
  const since = time - settings.lookbackDays * DAY
  const byContact = evidence.sightings.filter(
    (s) => hashes.has(s.hash) && s.at.getTime() <= time && s.at.getTime() >= since
  )
  // Without Medods' createdAt the booking's moment is unknown, and a window around "first seen" would lie.
  const inWindow = booking.createdAt
    ? evidence.opens.filter(
        (o) =>
          o.at.getTime() >= time - settings.windowBeforeMinutes * MINUTE &&
          o.at.getTime() <= time + settings.windowAfterMinutes * MINUTE
      )
    : []
  return {
    carried: unique(evidence.carried.filter((s) => ids.has(s.id))),
    byContact: unique(byContact.map((s) => s.session)),
    inWindow: unique(inWindow.map((o) => o.session)),
  }
}

const unique = (list: Session[]) => [...new Map(list.map((s) => [`${s.siteId} ${s.id}`, s])).values()]

export type Candidates = ReturnType<typeof candidatesFor>

/** The ladder over one booking's candidates; `options` carry what the rest of the page decided. */
export const ladder = (
  candidates: Candidates,
  options: Pick<LadderInput, 'taken' | 'windowRung'> = {}
): LadderMatch =>
  matchBooking({
    carried: candidates.carried.map(candidate),
    byContact: candidates.byContact.map(candidate),
    inWindow: candidates.inWindow.map(candidate),
    ...options,
  })

export function attribute(
  candidates: Candidates,
  match: LadderMatch,
  campaigns: CampaignRules[],
  settings: MatchSettings
): Attributed {
  const all = [...candidates.carried, ...candidates.byContact, ...candidates.inWindow]
  const session = all.find((s) => s.id === match.sessionId)
  if (!session) {
    return {
      ...match,
      campaignId: settings.defaultCampaignId,
      sourceId: settings.defaultSourceId,
      siteId: settings.defaultSiteId,
      attribution: null,
    }
  }
  return {
    ...match,
    campaignId: resolveCampaign(campaigns, session),
    sourceId: null,
    siteId: session.siteId,
    attribution: {
      source: session.source,
      medium: session.medium,
      campaign: session.campaign,
      content: session.content,
      term: session.term,
      utmId: session.utmId,
      clickIds: session.clickIds,
      landingUrl: session.touchLandingUrl,
      referrer: session.touchReferrer,
    },
  }
}
