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
