"""Scale benchmark of the scheduled actions and views (not a test).

Run it with ``tools/dev.sh bench --scale`` (or ``make bench-scale``): in the scratch database of
the tier benchmark (100,000 customers, 1,000,000 orders) it adds 200,000 visits, 50,000 past care
actions, 20,000 contact persons with birthdays, founding dates and 25 salespeople (one with 5,000
customers), classifies the customers, then times:

  (1) the care cron's first run (every backlog acted upon) and its daily run the next day,
  (2) the customers kanban's first page (grouped by tier), list and tier pivot against Odoo's
      contacts kanban read (as in the tier bench),
  (3) a customer form,
  (4) the visit pivot over a year,
  (5) My Day's first paint for the salesperson of 5,000 customers (the list's first page and the
      side panel's counters, as the web client asks them),
  (6) the handover of the 5,000 customers of one salesperson,
  (7) the customer pool's daily reclaim and its kanban (bench/pool_benchmark.py).

``--pool-only`` measures (7) alone.

It prints seconds and query counts, and the ratio of each to its target.
"""

import argparse
import importlib
from datetime import timedelta

import odoo
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ADDON = "customer_relationship"
TARGETS = {
    "care first run (s)": 60.0,
    "care daily run (s)": 60.0,
    "customer form (queries)": 40,
    "My Day first paint (s)": 1.0,
}


def seed(env, cr):
    """Visits, past care actions, contacts with birthdays and salespeople, once."""
    cr.execute("SELECT COUNT(*) FROM customer_visit WHERE name LIKE 'BENCH/%'")
    if cr.fetchone()[0]:
        return False
    company = env.ref("base.main_company")
    users = env["res.users"].create(
        [
            {
                "name": f"Bench salesperson {i}",
                "login": f"bench_sales_{i}",
                "group_ids": [(4, env.ref("sales_team.group_sale_salesman").id)],
            }
            for i in range(25)
        ]
    )
    user_ids = users.ids
    params = {"company": company.id, "users": user_ids, "first_user": user_ids[0]}
    # The first salesperson holds 5,000 customers; the others share the rest.
    cr.execute(
        SQL(
            """WITH numbered AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM res_partner WHERE ref = 'bench')
               UPDATE res_partner p SET user_id = CASE WHEN n <= 5000 THEN %(first_user)s
                                                       ELSE (%(users)s::int[])[2 + n %% 24] END,
                                        founding_date = CASE WHEN n %% 2 = 0
                                                             THEN DATE '1990-01-01' + (n %% 10000)::int END
                 FROM numbered WHERE p.id = numbered.id""",
            **params,
        )
    )
    cr.execute(
        """INSERT INTO res_partner (name, complete_name, ref, active, is_company, type, parent_id,
                                    commercial_partner_id, birthday, email, autopost_bills, create_date, write_date)
           SELECT 'Bench contact ' || id, 'Bench contact ' || id, 'bench-contact', TRUE, FALSE, 'contact', id, id,
                  DATE '1960-01-01' + (id % 14000), 'contact' || id || '@bench.example', 'ask', NOW(), NOW()
             FROM res_partner WHERE ref = 'bench' AND id % 5 = 0"""
    )
    cr.execute(
        SQL(
            """INSERT INTO customer_visit (name, partner_id, user_id, company_id, visit_type, state, planned_start,
                                           duration, done_date, create_date, write_date)
               SELECT 'BENCH/' || i, p.id, p.user_id, %(company)s, 'on_site',
                      CASE WHEN i %% 10 = 0 THEN 'planned' ELSE 'done' END,
                      NOW() - (i %% 700) * INTERVAL '1 day', 1.0,
                      CASE WHEN i %% 10 = 0 THEN NULL ELSE NOW() - (i %% 700) * INTERVAL '1 day' END, NOW(), NOW()
                 FROM generate_series(1, 200000) i
                 JOIN LATERAL (SELECT id, user_id FROM res_partner
                                WHERE ref = 'bench' AND id = (SELECT MIN(id) FROM res_partner WHERE ref = 'bench')
                                      + FLOOR(100000 * power(((i * 7919) %% 100000) / 100000.0, 2))::int) p ON TRUE""",
            **params,
        )
    )
    rule = env.ref("customer_relationship.customer_care_rule_cadence")
    cr.execute(
        SQL(
            """INSERT INTO customer_care_action (rule_id, company_id, action, partner_id, occurrence_date, due_date,
                                                 user_id, state, attempt_count, create_date, write_date)
               SELECT %(rule)s, %(company)s, 'activity', id, DATE '2024-01-01', DATE '2024-01-01', user_id, 'done', 0,
                      NOW(), NOW()
                 FROM res_partner WHERE ref = 'bench' ORDER BY id LIMIT 50000""",
            rule=rule.id,
            **params,
        )
    )
    for table in ("res_partner", "customer_visit", "customer_care_action"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    return True


def reset_care(cr):
    """Undo the care runs of an earlier benchmark: its actions, what they produced and the
    followers they added."""
    cr.execute(
        """CREATE TEMPORARY TABLE bench_care ON COMMIT DROP AS
               SELECT activity_id, mail_id, visit_id FROM customer_care_action
                WHERE NOT (state = 'done' AND occurrence_date = DATE '2024-01-01');
           DELETE FROM customer_care_action WHERE NOT (state = 'done' AND occurrence_date = DATE '2024-01-01');
           DELETE FROM mail_activity WHERE id IN (SELECT activity_id FROM bench_care);
           DELETE FROM mail_mail WHERE id IN (SELECT mail_id FROM bench_care);
           DELETE FROM customer_visit WHERE id IN (SELECT visit_id FROM bench_care);
           -- the responsibles the care runs made followers of the customers
           DELETE FROM mail_followers
            WHERE res_model = 'res.partner' AND res_id IN (SELECT id FROM res_partner WHERE ref = 'bench');
           UPDATE customer_care_rule SET last_run_date = NULL;"""
    )


def view_specification(env, model, view_type, view_id=None):
    """The fields the web client reads for a view: the view's fields, relational ones by name."""
    views = env[model].get_views([(view_id, view_type)])
    fields = views["models"][model]["fields"]
    return {
        name: {"fields": {"display_name": {}}} if field["type"] in ("many2one", "one2many", "many2many") else {}
        for name, field in fields.items()
    }


def my_day_first_paint(env, cr, tier_bench, user, company, views):
    """My Day as its salesperson opens it: the week's rows, first page, and the reasons' counters."""
    worklist = env(user=user.id, context={"allowed_company_ids": [company.id]})["customer.worklist"]
    week = [("date", "<=", odoo.fields.Date.today() + timedelta(days=7))]
    spec = {
        "reason": {},
        "partner_id": {"fields": {"display_name": {}}},
        "summary": {},
        "tier_id": {"fields": {"display_name": {}}},
        "date": {},
        "stake": {},
        "currency_id": {"fields": {}},
    }

    def first_paint():
        worklist.web_search_read(week, spec, limit=80)
        worklist.search_panel_select_multi_range("reason", search_domain=week, enable_counters=True)

    first_paint()
    env.invalidate_all()
    seconds, queries, _result = tier_bench.timed(cr, first_paint)
    base = views["contacts kanban (Odoo's, baseline)"][0]
    rows = worklist.search_count(week)
    return seconds, queries, f"{rows:,} rows this week, x{seconds / base:.1f} the contacts kanban"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--pool-only", action="store_true", help="measure the customer pool alone")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    tier_bench = importlib.import_module("tier_benchmark")
    pool_bench = importlib.import_module("pool_benchmark")
    TARGETS.update(pool_bench.TARGETS)
    registry = Registry(args.database)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        tier_bench.generate(cr, 100_000, 1_000_000, company.id, company.currency_id.id)
        if seed(env, cr):
            cr.commit()
        env["customer.tier"]._recompute_company_tiers(company)
        cr.commit()
        env.invalidate_all()
        if args.pool_only:
            results.update(pool_bench.measure(env, cr, company, tier_bench.timed))
            cr.rollback()
            print_results(results)
            return

        rules = env["customer.care.rule"]
        today = odoo.fields.Date.today()
        reset_care(cr)
        cr.commit()
        tier_bench.vacuum(cr, "customer_care_action", "mail_activity", "mail_followers", "customer_visit")
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        before = cr.fetchone()[0]
        first, first_queries, _ = tier_bench.timed(cr, lambda: rules._cron_run_care_rules(today=today))
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        created = cr.fetchone()[0] - before
        daily, daily_queries, _ = tier_bench.timed(
            cr, lambda: rules._cron_run_care_rules(today=today + timedelta(days=1))
        )
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        created_daily = cr.fetchone()[0] - before - created
        results["care first run (s)"] = (first, first_queries, f"{created:,} actions")
        results["care daily run (s)"] = (daily, daily_queries, f"{created_daily:,} actions")
        # The other measures print no result.

        admin = env.ref("base.user_admin")
        user_env = env(user=admin.id, context={"allowed_company_ids": [company.id]})
        partners = user_env["res.partner"]
        # The customers kanban, list and tier pivot against Odoo's contacts kanban, as in the tier bench.
        views = tier_bench.read_views(env, company)
        form_spec = view_specification(user_env, "res.partner", "form")
        customer = partners.search([("ref", "=", "bench")], limit=1, order="id")
        customer.web_read(form_spec)
        env.invalidate_all()
        results["customer form (queries)"] = tier_bench.timed(cr, lambda: customer.web_read(form_spec))
        addon_spec = {name: read for name, read in form_spec.items() if partners._fields[name]._module == ADDON}
        env.invalidate_all()
        results["  of which the addon's fields"] = tier_bench.timed(cr, lambda: customer.web_read(addon_spec))
        visits = user_env["customer.visit"]
        env.invalidate_all()
        results["visit pivot, one year"] = tier_bench.timed(
            cr,
            lambda: visits.formatted_read_group(
                [("planned_start", ">=", odoo.fields.Datetime.now() - timedelta(days=365))],
                ["planned_start:month", "user_id"],
                ["__count", "duration:sum"],
            ),
        )
        handover_user = env["res.users"].search([("login", "=", "bench_sales_0")])
        if handover_user:
            results["My Day first paint (s)"] = my_day_first_paint(env, cr, tier_bench, handover_user, company, views)

        if "customer.handover" in env and handover_user:
            wizard = env["customer.handover"].create(
                {"from_user_id": handover_user.id, "to_user_id": admin.id, "company_id": company.id}
            )
            env.invalidate_all()
            results["handover, 5,000 customers"] = tier_bench.timed(cr, wizard.action_apply)
        cr.rollback()
        env.invalidate_all()
        results.update(pool_bench.measure(env, cr, company, tier_bench.timed))
        cr.rollback()
    print(tier_bench.load_note())
    tier_bench.print_views(views)
    print_results(results)


def print_results(results):
    for name, (seconds, queries, extra) in results.items():
        line = f"{name:30s} {seconds:8.2f} s  {queries:6d} queries"
        if isinstance(extra, str):
            line += f"  {extra}"
        target = TARGETS.get(name)
        if target:
            measured = seconds if name.endswith("(s)") else queries
            line += f"  ratio to target {measured / target:.2f}"
        print(line)


if __name__ == "__main__":
    main()
