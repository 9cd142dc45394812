"""Benchmark of the customer tier recomputation (not a test).

Run it with ``tools/dev.sh bench`` (or ``make bench``): in a scratch database it generates
100,000 customers and 1,000,000 confirmed sale orders over 24 months with a skewed
distribution (bulk SQL), then times in one run:

  (a) the addon's full recomputation (every customer classified for the first time),
  (b) a re-run with no new data,
  (c) a baseline: one raw SQL aggregation with window functions plus one bulk upsert of the
      same customer_account columns.

It prints the ratios a/c and b/a (targets: a/c <= 2.0, b/a <= 0.5) and the query counts.
"""

import argparse
import importlib
import time

from dateutil.relativedelta import relativedelta

import odoo
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


def reset(cr):
    # Every bench customer unclassified: its accounts go (the first run classifies them all).
    cr.execute("DELETE FROM customer_account WHERE partner_id IN (SELECT id FROM res_partner WHERE ref = 'bench')")
    cr.execute("DELETE FROM customer_tier_history")
    for table in ("res_partner", "customer_account"):
        cr.execute(f"VACUUM ANALYZE {table}" if cr._cnx.autocommit else f"ANALYZE {table}")


def read_views(env, company):
    """The customers kanban's first page (grouped by tier, with the lifecycle progress bars, as
    tests/test_performance.py calls it) and Odoo's own contacts kanban read (80 cards), warm."""
    kanban = importlib.import_module("odoo.addons.customer_relationship.tests.test_performance")
    admin = env.ref("base.user_admin")
    partners = env(user=admin.id, context={"allowed_company_ids": [company.id]})["res.partner"]
    fields = partners.get_views([(False, "kanban")])["models"]["res.partner"]["fields"]
    contacts_spec = {
        name: {"fields": {"display_name": {}}} if field["type"] in ("many2one", "one2many", "many2many") else {}
        for name, field in fields.items()
    }

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

    def contacts_kanban():
        partners.web_search_read([], contacts_spec, limit=80)

    results = {}
    for name, function in (("customers kanban", customers_kanban), ("contacts kanban", contacts_kanban)):
        function()  # warm: fields, access rights and translations are cached once per worker
        env.invalidate_all()
        results[name] = timed(env.cr, function)
    return results


def baseline(cr, company, window_start):
    cr.execute(
        SQL(
            """WITH per_partner AS (
                   SELECT partner.commercial_partner_id AS partner_id, SUM(so.amount_untaxed) AS value,
                          COUNT(*) AS order_count, MIN(so.date_order)::date AS first_date,
                          MAX(so.date_order)::date AS last_date
                     FROM sale_order so JOIN res_partner partner ON partner.id = so.partner_id
                    WHERE so.company_id = %(company)s AND so.state = 'sale' AND so.date_order >= %(start)s
                 GROUP BY 1),
               ranked AS (
                   SELECT *, RANK() OVER (ORDER BY value DESC) AS value_rank,
                          100 * SUM(value) OVER (ORDER BY value DESC) / SUM(value) OVER () AS share,
                          NTILE(5) OVER (ORDER BY last_date) AS r, NTILE(5) OVER (ORDER BY order_count) AS f,
                          NTILE(5) OVER (ORDER BY value) AS m
                     FROM per_partner)
               -- the same work as the addon: one upsert of the accounts of the company
               INSERT INTO customer_account AS account
                      (partner_id, company_id, tier_id, value, value_rank, value_share, first_order_date,
                       last_order_date, order_count, average_order_interval, expected_next_order_date, lifecycle,
                       recency_score, frequency_score, monetary_score, rfm_segment, relationship_level)
               SELECT partner_id, %(company)s,
                      CASE WHEN share <= 50 THEN 1 WHEN share <= 80 THEN 2 WHEN share <= 95 THEN 3 ELSE 4 END,
                      ROUND(value, 2), value_rank, ROUND(share, 2), first_date, last_date, order_count,
                      (last_date - first_date) / GREATEST(order_count - 1, 1), last_date + 30, 'active',
                      r, f, m, 'loyal', 'basic'
                 FROM ranked
          ON CONFLICT (partner_id, company_id) DO UPDATE SET
                      tier_id = EXCLUDED.tier_id, value = EXCLUDED.value, value_rank = EXCLUDED.value_rank,
                      value_share = EXCLUDED.value_share, first_order_date = EXCLUDED.first_order_date,
                      last_order_date = EXCLUDED.last_order_date, order_count = EXCLUDED.order_count,
                      average_order_interval = EXCLUDED.average_order_interval,
                      expected_next_order_date = EXCLUDED.expected_next_order_date, lifecycle = EXCLUDED.lifecycle,
                      recency_score = EXCLUDED.recency_score, frequency_score = EXCLUDED.frequency_score,
                      monetary_score = EXCLUDED.monetary_score, rfm_segment = EXCLUDED.rfm_segment""",
            company=company.id,
            start=window_start,
        )
    )


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
        reset(cr)
        cr.commit()
        env.invalidate_all()
        tiers = env["customer.tier"]

        time_a, queries_a, result_a = timed(cr, lambda: tiers._recompute_company_tiers(company))
        cr.commit()
        time_b, queries_b, result_b = timed(cr, lambda: tiers._recompute_company_tiers(company))
        cr.commit()
        window_start = odoo.fields.Date.today() - relativedelta(months=company.customer_value_window_months)
        time_c, queries_c, _result = timed(cr, lambda: baseline(cr, company, window_start))
        cr.rollback()
        env.invalidate_all()
        views = read_views(env, company)

        print(f"(a) full recomputation : {time_a:7.2f} s  {queries_a:3d} queries  {result_a}")
        print(f"(b) re-run, no change  : {time_b:7.2f} s  {queries_b:3d} queries  {result_b}")
        print(f"(c) raw SQL baseline   : {time_c:7.2f} s  {queries_c:3d} queries")
        print(f"a/c = {time_a / time_c:.2f}  (target <= 2.0)")
        print(f"b/c = {time_b / time_c:.2f}")
        print(f"b/a = {time_b / time_a:.2f}  (target <= 0.5)")
        (time_k, queries_k, _k), (time_o, queries_o, _o) = views["customers kanban"], views["contacts kanban"]
        print(f"customers kanban, first page: {time_k:6.3f} s  {queries_k:3d} queries")
        print(f"contacts kanban (Odoo's)    : {time_o:6.3f} s  {queries_o:3d} queries")
        print(f"customers / contacts kanban = {time_k / time_o:.2f}  (target <= 5)")


if __name__ == "__main__":
    main()
