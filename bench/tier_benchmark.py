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

import argparse
import importlib
import os
import time

from dateutil.relativedelta import relativedelta

import odoo
from odoo import sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def generate(cr, customers, orders, company_id, currency_id):
    cr.execute("SELECT COUNT(*) FROM res_partner WHERE ref = 'bench'")
    if cr.fetchone()[0] >= customers:
        return False
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, complete_name, ref, active, is_company, type, customer_rank,
                                        autopost_bills, create_date, write_date)
               SELECT 'Bench customer ' || i, 'Bench customer ' || i, 'bench', TRUE, TRUE, 'contact', 1,
                      'ask', NOW(), NOW()
                 FROM generate_series(1, %s) AS i""",
            customers,
        )
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = 'bench'")
    cr.execute("SELECT MIN(id) FROM res_partner WHERE ref = 'bench'")
    first_id = cr.fetchone()[0]
    cr.execute("SELECT MIN(id) FROM product_pricelist")
    pricelist_id = cr.fetchone()[0]  # none without pricelists: the column may be empty
    # Skewed: random()^3 picks low partner numbers far more often, and amounts are heavy-tailed.
    cr.execute(
        SQL(
            """INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                                       currency_id, pricelist_id, currency_rate, date_order, state,
                                       amount_untaxed, amount_tax, amount_total, create_date, write_date)
               SELECT 'BENCH/' || i, pid, pid, pid, %(company)s, %(currency)s, %(pricelist)s, 1,
                      NOW() - random() * INTERVAL '730 days',
                      CASE WHEN random() < 0.03 THEN 'cancel' ELSE 'sale' END,
                      amount, 0, amount, NOW(), NOW()
                 FROM (SELECT i, %(first)s + FLOOR(%(customers)s * power(random(), 3))::int AS pid,
                              ROUND((50 + 5000 * power(random(), 4))::numeric, 2) AS amount
                         FROM generate_series(1, %(orders)s) AS i) AS g""",
            company=company_id,
            currency=currency_id,
            pricelist=pricelist_id,
            first=first_id,
            customers=customers,
            orders=orders,
        )
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE sale_order")
    return True


def generate_lines(env, cr):
    """One order line per bench order, a third of them with a cost (hence a margin), once: the
    addon's margin reads the lines."""
    cr.execute("SELECT 1 FROM sale_order_line WHERE name = 'Bench line' LIMIT 1")
    if cr.fetchone():
        return False
    product = env["product.product"].create({"name": "Bench product", "type": "consu"})
    cr.execute(
        SQL(
            """INSERT INTO sale_order_line (order_id, name, product_id, product_uom_id, product_uom_qty, price_unit,
                                            customer_lead, company_id, currency_id, order_partner_id, state,
                                            price_subtotal, price_total, purchase_price, margin, sequence,
                                            create_date, write_date)
               SELECT so.id, 'Bench line', %(product)s, %(uom)s, 1, so.amount_untaxed, 0, so.company_id,
                      so.currency_id, so.partner_id, so.state, so.amount_untaxed, so.amount_untaxed,
                      CASE WHEN so.id %% 3 = 0 THEN ROUND(so.amount_untaxed * 0.7, 2) ELSE 0 END,
                      CASE WHEN so.id %% 3 = 0 THEN so.amount_untaxed - ROUND(so.amount_untaxed * 0.7, 2)
                           ELSE so.amount_untaxed END, 10, NOW(), NOW()
                 FROM sale_order so WHERE so.name LIKE 'BENCH/%%'""",
            product=product.id,
            uom=product.uom_id.id,
        )
    )
    cr.execute("ANALYZE sale_order_line")
    return True


def reset(cr):
    """Every bench customer unclassified: its accounts go (the first run classifies them all).
    Committed, then vacuumed: the dead rows of earlier runs would slow every later scan."""
    cr.execute("DELETE FROM customer_account WHERE partner_id IN (SELECT id FROM res_partner WHERE ref = 'bench')")
    cr.execute("DELETE FROM customer_tier_history")
    cr.commit()
    vacuum(cr, "res_partner", "customer_account", "customer_tier_history")


def vacuum(cr, *tables):
    """VACUUM ANALYZE ``tables`` (committed work only: it runs outside a transaction)."""
    with sql_db.db_connect(cr.dbname).cursor() as vacuum_cr:
        vacuum_cr._cnx.autocommit = True
        try:
            for table in tables:
                vacuum_cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))
        finally:
            vacuum_cr._cnx.autocommit = False


def warm(cr):
    """Read the tables of the computation once, so that neither measure pays for a cold cache."""
    cr.execute("SELECT COUNT(*), SUM(amount_untaxed) FROM sale_order")
    cr.execute("SELECT COUNT(*), SUM(margin) FROM sale_order_line")
    cr.execute("SELECT COUNT(*), SUM(customer_rank) FROM res_partner")


def prediction_columns():
    return importlib.import_module("odoo.addons.customer_relationship.models.customer_prediction").PREDICTION_COLUMNS


def computed_fields():
    """The columns the tier engine computes. The repeat-buying model's are left out: its cost is
    measured by bench/prediction_benchmark.py (with against without it); here the engine is
    measured against the raw SQL of the same work."""
    # Imported once the registry has set the addons path up.
    computed = importlib.import_module("odoo.addons.customer_relationship.models.customer_account")
    return tuple(name for name in computed.COMPUTED_ACCOUNT_FIELDS if name not in prediction_columns())


def recompute(env, company, today):
    """The addon's recomputation without the repeat-buying model's step (its columns empty)."""
    return importlib.import_module("prediction_benchmark").recompute_without_model(env, company, today)


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


def read_views(env, company):
    """The customers kanban's first page (grouped by tier, with the lifecycle progress bars, as
    tests/test_performance.py calls it), the customers list's first page and the tier pivot, and
    Odoo's own contacts kanban read (80 cards), the baseline: each warm, as a user meets them."""
    kanban = importlib.import_module("odoo.addons.customer_relationship.tests.test_performance")
    admin = env.ref("base.user_admin")
    partners = env(user=admin.id, context={"allowed_company_ids": [company.id]})["res.partner"]

    def spec(view_type, view_id=False):
        fields = partners.get_views([(view_id, view_type)])["models"]["res.partner"]["fields"]
        return {
            name: {"fields": {"display_name": {}}} if field["type"] in ("many2one", "one2many", "many2many") else {}
            for name, field in fields.items()
        }

    contacts_spec = spec("kanban")
    list_spec = spec("list", env.ref("customer_relationship.res_partner_customer_view_list").id)

    def customers_kanban():
        partners.web_read_group(
            kanban.KANBAN_DOMAIN,
            ["customer_tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=kanban.KANBAN_CARD,
            unfold_read_default_limit=40,
        )
        partners.read_progress_bar(
            kanban.KANBAN_DOMAIN, "customer_tier_id", {"field": "customer_lifecycle", "colors": {"active": "success"}}
        )

    def customers_list():
        partners.web_search_read(kanban.KANBAN_DOMAIN, list_spec, limit=80, count_limit=10001)

    def tier_pivot():
        # rows by tier, columns by lifecycle, as res_partner_customer_view_pivot asks
        partners.formatted_read_grouping_sets(
            kanban.KANBAN_DOMAIN,
            [[], ["customer_tier_id"], ["customer_lifecycle"], ["customer_tier_id", "customer_lifecycle"]],
            ["customer_value:sum", "__count"],
        )

    def contacts_kanban():
        partners.web_search_read([], contacts_spec, limit=80)

    results = {}
    for name, function in (
        ("contacts kanban (Odoo's, baseline)", contacts_kanban),
        ("customers kanban, first page", customers_kanban),
        ("customers list, first page", customers_list),
        ("tier pivot", tier_pivot),
    ):
        function()  # warm: fields, access rights and translations are cached once per worker
        runs = []
        for _run in range(5):  # the best of five: the machine is shared
            env.invalidate_all()
            runs.append(timed(env.cr, function))
        results[name] = min(runs, key=lambda run: run[0])
    return results


def print_views(views):
    """Each view (best of five, warm) against the contacts kanban (target <= 5x) and its query count
    (target < 40)."""
    base = views["contacts kanban (Odoo's, baseline)"][0]
    for name, (seconds, queries, _result) in views.items():
        print(f"{name:36s} {seconds:6.3f} s  {queries:3d} queries  x{seconds / base:5.2f} the contacts kanban")
    worst = max(seconds / base for name, (seconds, _q, _r) in views.items())
    most = max(queries for name, (_s, queries, _r) in views.items() if name.startswith(("customers", "tier")))
    print(f"views: worst ratio {worst:.2f} (target <= 5), most queries {most} (target < 40)")


def load_note():
    """The machine's load while measuring: the ratios hold under load, the seconds do not."""
    loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    return f"load average (1, 5, 15 min): {loads} on {os.cpu_count()} cores"


def timed(cr, function):
    queries = cr.sql_log_count
    start = time.perf_counter()
    result = function()
    cr.flush()
    return time.perf_counter() - start, cr.sql_log_count - queries, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        start = time.perf_counter()
        if generate(cr, args.customers, args.orders, company.id, company.currency_id.id):
            elapsed = time.perf_counter() - start
            print(f"generated {args.customers:,} customers and {args.orders:,} orders in {elapsed:.1f} s")
        if generate_lines(env, cr):
            print("generated one line per order, a third of them with a cost")
        reset(cr)
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
            runs_c.append(timed(cr, lambda: baseline(cr, company, company_tiers, today)))
            digest_c = digest(cr, company)
            cr.rollback()
            env.invalidate_all()
            runs_a.append(timed(cr, lambda: recompute(env, company, today)))
            digest_a = digest(cr, company)
            if not last:
                cr.rollback()
                env.invalidate_all()
        time_a, queries_a, result_a = min(runs_a, key=lambda run: run[0])
        time_c, queries_c, _result = min(runs_c, key=lambda run: run[0])
        cr.commit()
        written = rows_written(cr)
        time_b, queries_b, result_b = timed(cr, lambda: recompute(env, company, today))
        written = int(rows_written(cr) - written)
        cr.commit()
        env.invalidate_all()
        views = read_views(env, company)
        cr.rollback()

        print(load_note())
        print(f"(a) full recomputation : {time_a:7.2f} s  {queries_a:3d} queries  {result_a}")
        print(f"(b) re-run, no change  : {time_b:7.2f} s  {queries_b:3d} queries  {result_b}, {written} rows written")
        print(f"(c) raw SQL baseline   : {time_c:7.2f} s  {queries_c:3d} queries  (the same work)")
        same = "the same" if digest_a == digest_c else f"DIFFERENT: {digest_a} vs {digest_c}"
        print(f"accounts and history (md5) of (a) and (c): {same}")
        print(f"a/c = {time_a / time_c:.2f}  (target <= 1.5)")
        print(f"b/a = {time_b / time_a:.2f}  (target <= 0.5; rows written: target 0)")
        print_views(views)


if __name__ == "__main__":
    main()
