/** A campaign's matching rules; an empty or null rule matches anything. */
export type CampaignRules = {
  id: string
  utmSource: string | null
  utmMedium: string | null
  utmCampaign: string | null
}

export type SessionTags = { source: string; medium: string; campaign: string }

const same = (rule: string | null, value: string) =>
  !rule || rule.trim().toLowerCase() === value.trim().toLowerCase()

const specificity = (c: CampaignRules) =>
  [c.utmSource, c.utmMedium, c.utmCampaign].filter((rule) => rule && rule.trim()).length

/**
 * The account's campaign a session's UTM tags belong to: every rule of the campaign must hold, and the most
 * specific campaign wins (utm_campaign "spring" beats a catch-all on utm_source "yandex"). A campaign with no
 * rule at all never matches by itself: it is chosen only as an integration's default.
 */
export function resolveCampaign(campaigns: CampaignRules[], tags: SessionTags): string | null {
  let best: CampaignRules | null = null
  for (const campaign of campaigns) {
    const rules = specificity(campaign)
    if (rules === 0) continue
    if (!same(campaign.utmSource, tags.source)) continue
    if (!same(campaign.utmMedium, tags.medium)) continue
    if (!same(campaign.utmCampaign, tags.campaign)) continue
    if (!best || rules > specificity(best)) best = campaign
  }
  return best?.id ?? null
}
