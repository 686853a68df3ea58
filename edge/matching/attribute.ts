import { storedTouchOf, type CurrentTouch, type RequestAttribution } from '../db/schema'
import { resolveCampaign, type CampaignRules } from './campaigns'
import type { Attributed, Candidates, Match, MatchSettings } from './types'

/**
 * What a match means for the request: the matched session's tags and the account's campaign they
 * belong to, or the integration's default campaign, or source + site.
 */
export function attribute(
  candidates: Candidates,
  match: Match,
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
    attribution: attributionOf(session),
  }
}

/** The API reports where a visit came from, not how the widget classified it or when. */
function attributionOf(session: CurrentTouch): RequestAttribution {
  const { type, at, ...attribution } = storedTouchOf(session)
  return attribution
}
