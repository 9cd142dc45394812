"""Benchmark of the customer tier recomputation (not a test).

Run it with ``tools/dev.sh bench`` (or ``make bench``): in a scratch database it generates
100,000 customers and 1,000,000 confirmed sale orders over 24 months with a skewed
distribution and one line per order (bulk SQL), then times in one run:

  (a) the addon's full recomputation (every customer classified for the first time),
      measured twice, alternately with (c), the best of each kept,
  (b) a re-run with no new data,
  (c) a baseline doing the same work in the most direct raw SQL: one statement that computes
      every customer's figures (margin of the order lines, prospects, RFM, lifecycle), upserts
      the accounts and writes the tier history; (a) and (c) must write the same (md5),
  and the customers kanban, list and tier pivot against Odoo's contacts kanban read.

It prints the ratios a/c (target <= 1.5) and b/a, the rows (b) writes (target 0), the views'
ratios to the contacts kanban (target <= 5) and the query counts (target < 40).
"""

import importlib

import bench_common as bench
from dateutil.relativedelta import relativedelta

import odoo
from odoo.tools import SQL


def warm(cr):
    """Read the tables of the computation once, so that neither measure pays for a cold cache."""
    cr.execute("SELECT COUNT(*), SUM(amount_untaxed) FROM sale_order")
    cr.execute("SELECT COUNT(*), SUM(margin) FROM sale_order_line")
    cr.execute("SELECT COUNT(*), SUM(customer_rank) FROM res_partner")


def computed_fields():
    """The columns the tier engine computes. The repeat-buying model's are left out: its cost is
    measured by bench/prediction_benchmark.py (with against without it); here the engine is
    measured against the raw SQL of the same work."""
    # Imported once the registry has set the addons path up.
    computed = importlib.import_module("odoo.addons.customer_relationship.models.customer_account")
    return tuple(name for name in computed.COMPUTED_ACCOUNT_FIELDS if name not in bench.prediction_columns())


def digest(cr, company):
    """md5 of what a recomputation writes: every account's figures in the company, and the tier
    history rows (without ids and timestamps)."""
    columns = SQL(", ").join(SQL.identifier(column) for column in computed_fields())
    cr.execute(
        SQL(
            """SELECT (SELECT md5(string_agg(row(partner_id, %(columns)s)::text, ',' ORDER BY partner_id))
                         FROM customer_account WHERE company_id = %(company)s),
                      (SELECT md5(string_agg(row(partner_id, date, old_tier_id, new_tier_id, direction, value,
                                                 value_rank, value_share)::text, ',' ORDER BY partner_id, id))
                         FROM customer_tier_history WHERE company_id = %(company)s)""",
            columns=columns,
            company=company.id,
        )
    )
    return cr.fetchone()


def rows_written(cr):
    """Rows inserted, updated or deleted in the tables of the database (temporary ones aside) by
    the current transaction so far."""
    cr.execute(
        """SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
            WHERE schemaname NOT LIKE 'pg_temp%'"""
    )
    return cr.fetchone()[0]


def baseline(cr, company, tiers, today):
    """The same results as the addon's recomputation, written by the most direct raw SQL: one
    statement computes every customer's figures, upserts the changed accounts and inserts the
    tier history rows. What it knows beforehand (the tiers, the settings) is read untimed."""
    tier_case = SQL(" ").join(
        SQL(
            "WHEN r.exact_share <= %s::numeric AND r.value >= %s::numeric THEN %s",
            tier.share_limit,
            tier.min_value or 0,
            tier.id,
        )
        for tier in tiers
    )
    fields = computed_fields()
    columns = SQL(", ").join(SQL.identifier(column) for column in fields)
    cr.execute(
        SQL(
            """
WITH per_partner AS (
    SELECT partner.commercial_partner_id AS partner_id,
           MIN(o.day) AS first_order_date, MAX(o.day) AS last_order_date, COUNT(*) AS lifetime_count,
           COUNT(*) FILTER (WHERE o.day >= %(window_start)s) AS order_count,
           SUM(o.amount_untaxed / o.rate) FILTER (WHERE o.day >= %(window_start)s) AS value,
           SUM(costed.margin / o.rate) FILTER (WHERE o.day >= %(window_start)s) AS margin,
           SUM(costed.amount / o.rate) FILTER (WHERE o.day >= %(window_start)s) AS costed_amount
      FROM (SELECT so.id, so.partner_id, so.amount_untaxed, (so.date_order AT TIME ZONE 'UTC')::date AS day,
                   COALESCE(NULLIF(so.currency_rate, 0), 1) AS rate
              FROM sale_order so
             WHERE so.company_id = %(company)s AND so.state = 'sale' AND so.date_order < %(tomorrow)s) o
      JOIN res_partner partner ON partner.id = o.partner_id
 LEFT JOIN (SELECT order_id, SUM(margin) AS margin, SUM(price_subtotal) AS amount
              FROM sale_order_line WHERE purchase_price <> 0 GROUP BY order_id) costed ON costed.order_id = o.id
  GROUP BY 1
),
customers AS (
    SELECT cp.id AS partner_id, account.tier_id AS old_tier_id, COALESCE(account.tier_locked, FALSE) AS locked,
           account.loss_date,
           pp.first_order_date, pp.last_order_date, COALESCE(pp.order_count, 0) AS order_count,
           ROUND(COALESCE(pp.value, 0), 2) AS value,
           ROUND(100 * pp.margin / NULLIF(pp.costed_amount, 0), 2) AS margin_rate,
           ROUND((pp.last_order_date - pp.first_order_date)::numeric / NULLIF(pp.lifetime_count - 1, 0), 1)
               AS average_order_interval
      FROM res_partner cp
 LEFT JOIN per_partner pp ON pp.partner_id = cp.id
 LEFT JOIN customer_account account ON account.partner_id = cp.id AND account.company_id = %(company)s
     WHERE cp.active AND cp.id = cp.commercial_partner_id
       AND (pp.partner_id IS NOT NULL
            OR (cp.customer_rank > 0 AND (cp.company_id IS NULL OR cp.company_id = %(company)s)))
),
ranked AS (
    SELECT c.*, RANK() OVER (ORDER BY c.value DESC) AS value_rank,
           CASE WHEN c.value > 0 THEN 100 * SUM(GREATEST(c.value, 0)) OVER (ORDER BY c.value DESC)
                                      / NULLIF(SUM(GREATEST(c.value, 0)) OVER (), 0)
                ELSE 100 END AS exact_share,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + 5 * (RANK() OVER (
                PARTITION BY c.last_order_date IS NULL ORDER BY c.last_order_date) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS recency_score,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + 5 * (RANK() OVER (
                PARTITION BY c.last_order_date IS NULL ORDER BY c.order_count) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS frequency_score,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + 5 * (RANK() OVER (
                PARTITION BY c.last_order_date IS NULL ORDER BY c.value) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS monetary_score
      FROM customers c
),
computed AS (
    SELECT r.partner_id, r.old_tier_id, r.value, r.value_rank, ROUND(r.exact_share, 2) AS value_share,
           r.margin_rate, CASE WHEN r.margin_rate IS NOT NULL THEN TRUE END AS margin_known,
           r.first_order_date, r.last_order_date, r.order_count, r.average_order_interval,
           r.last_order_date + ROUND(r.average_order_interval)::int AS expected_next_order_date,
           CASE WHEN r.first_order_date IS NULL THEN 'prospect'
                -- marked as lost (Mark as Lost) and no order since
                WHEN r.loss_date IS NOT NULL AND r.last_order_date <= r.loss_date THEN 'lost'
                WHEN %(today)s - r.last_order_date >= %(lost_days)s THEN 'lost'
                WHEN %(today)s - r.last_order_date >= %(dormant_days)s THEN 'dormant'
                WHEN %(today)s - r.first_order_date < %(new_days)s THEN 'new'
                WHEN %(today)s - r.last_order_date > 1.5 * NULLIF(r.average_order_interval, 0)
                  OR %(today)s - r.last_order_date > %(at_risk_days)s THEN 'at_risk'
                ELSE 'active' END AS lifecycle,
           r.recency_score, r.frequency_score, r.monetary_score,
           CASE WHEN r.last_order_date IS NULL THEN NULL
                WHEN r.recency_score >= 4 AND (r.frequency_score + r.monetary_score) >= 8 THEN 'champions'
                WHEN r.recency_score >= 3 AND (r.frequency_score + r.monetary_score) >= 6 THEN 'loyal'
                WHEN r.recency_score >= 4 THEN 'promising'
                WHEN r.recency_score = 3 THEN 'need_attention'
                WHEN (r.frequency_score + r.monetary_score) >= 8 THEN 'cannot_lose'
                WHEN (r.frequency_score + r.monetary_score) >= 6 THEN 'at_risk'
                WHEN r.recency_score = 2 THEN 'hibernating'
                ELSE 'lost' END AS rfm_segment,
           CASE WHEN r.locked AND r.old_tier_id IS NOT NULL THEN r.old_tier_id
                WHEN r.value > 0 THEN COALESCE(CASE %(tier_case)s END, %(last_tier)s)
                ELSE %(last_tier)s END AS tier_id
      FROM ranked r
),
upserted AS (
    INSERT INTO customer_account AS account (partner_id, company_id, relationship_level, %(columns)s,
                                             create_uid, write_uid, create_date, write_date)
    SELECT partner_id, %(company)s, 'basic', %(columns)s, 1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
      FROM computed
        ON CONFLICT (partner_id, company_id) DO UPDATE
       SET (%(columns)s, write_date) = (%(excluded)s, EXCLUDED.write_date)
     WHERE (%(old)s) IS DISTINCT FROM (%(excluded)s)
)
INSERT INTO customer_tier_history (partner_id, company_id, date, old_tier_id, new_tier_id, direction, value,
                                   value_rank, value_share, create_uid, write_uid, create_date, write_date)
SELECT c.partner_id, %(company)s, %(today)s, c.old_tier_id, c.tier_id,
       CASE WHEN old.id IS NULL THEN 'new' WHEN (new.sequence, new.id) < (old.sequence, old.id) THEN 'up'
            ELSE 'down' END,
       c.value, c.value_rank, c.value_share, 1, 1, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
  FROM computed c JOIN customer_tier new ON new.id = c.tier_id LEFT JOIN customer_tier old ON old.id = c.old_tier_id
 WHERE c.tier_id IS DISTINCT FROM c.old_tier_id""",
            company=company.id,
            today=today,
            tomorrow=today + relativedelta(days=1),
            window_start=today - relativedelta(months=company.customer_value_window_months),
            new_days=company.customer_new_days,
            at_risk_days=company.customer_at_risk_days or None,
            dormant_days=company.customer_dormant_days,
            lost_days=company.customer_lost_days,
            tier_case=tier_case,
            last_tier=tiers[-1].id,
            columns=columns,
            excluded=SQL(", ").join(SQL("EXCLUDED.%s", SQL.identifier(c)) for c in fields),
            old=SQL(", ").join(SQL("account.%s", SQL.identifier(c)) for c in fields),
        )
    )


def main():
    args = bench.arguments(__doc__.splitlines()[0]).parse_args()
    with bench.scratch_database(args) as (env, company):
        cr = env.cr
        if bench.generate_lines(env, cr):
            print("generated one line per order, a third of them with a cost")
        bench.reset(cr)
        cr.commit()
        env.invalidate_all()
        tiers = env["customer.tier"]
        today = odoo.fields.Date.context_today(tiers)
        company_tiers = tiers._tiers_for_company(company)
        warm(cr)

        # Each measured twice, alternately, the best kept: the machine is shared. Rolled back but
        # for the last (a), so that each classifies the same unclassified customers.
        runs_a, runs_c = [], []
        for last in (False, True):
            runs_c.append(bench.timed(cr, lambda: baseline(cr, company, company_tiers, today)))
            digest_c = digest(cr, company)
            cr.rollback()
            env.invalidate_all()
            runs_a.append(bench.timed(cr, lambda: bench.recompute_without_model(env, company, today)))
            digest_a = digest(cr, company)
            if not last:
                cr.rollback()
                env.invalidate_all()
        time_a, queries_a, result_a = min(runs_a, key=lambda run: run[0])
        time_c, queries_c, _result = min(runs_c, key=lambda run: run[0])
        cr.commit()
        written = rows_written(cr)
        time_b, queries_b, result_b = bench.timed(cr, lambda: bench.recompute_without_model(env, company, today))
        written = int(rows_written(cr) - written)
        cr.commit()
        env.invalidate_all()
        views = bench.read_views(env, company)
        cr.rollback()

        print(bench.load_note())
        print(f"(a) full recomputation : {time_a:7.2f} s  {queries_a:3d} queries  {result_a}")
        print(f"(b) re-run, no change  : {time_b:7.2f} s  {queries_b:3d} queries  {result_b}, {written} rows written")
        print(f"(c) raw SQL baseline   : {time_c:7.2f} s  {queries_c:3d} queries  (the same work)")
        same = "the same" if digest_a == digest_c else f"DIFFERENT: {digest_a} vs {digest_c}"
        print(f"accounts and history (md5) of (a) and (c): {same}")
        print(f"a/c = {time_a / time_c:.2f}  (target <= 1.5)")
        print(f"b/a = {time_b / time_a:.2f}  (target <= 0.5; rows written: target 0)")
        bench.print_views(views)


if __name__ == "__main__":
    main()
