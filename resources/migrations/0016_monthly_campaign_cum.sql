-- Hand-written: the per-campaign running totals in campaign_cum now restart on the first of every
-- month (store/repos/cumulative-rollup.ts), so a row holds only the campaigns active in its month and
-- the table no longer grows with every campaign ever seen x days (issue 12). The old rows ran from
-- each account's first day; they are dropped here and openStore rebuilds every account's rows from
-- daily_metrics right after the migration (rebuildMissingCampaignCum).
DELETE FROM `campaign_cum`;
