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
  (7) the customer pool's daily reclaim and its kanban: one pool whose rules reclaim Gold, Iron
      and Lead customers after 95 to 98 days without contact (Platinum has no rule), the
      salespeople's start dates spread over the last 100 days; the daily reclaim run (warnings and
      reclaims of a few thousand customers) with the query count of its set-based part, and the
      pool kanban's first page as a salesperson reads it, rolled back afterwards.

``--pool-only`` measures (7) alone.

It prints seconds and query counts, and the ratio of each to its target.
"""

from datetime import timedelta

import bench_common as bench

import odoo
from odoo.tools import SQL

ADDON = "customer_relationship"
TARGETS = {
    "care first run (s)": 60.0,
    "care daily run (s)": 60.0,
    "customer form (queries)": 40,
    "My Day first paint (s)": 1.0,
    "pool daily reclaim (s)": 10.0,
    "pool kanban first page (queries)": 40,
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


def my_day_first_paint(env, cr, user, company, views):
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
    seconds, queries, _result = bench.timed(cr, first_paint)
    base = views["contacts kanban (Odoo's, baseline)"][0]
    rows = worklist.search_count(week)
    return seconds, queries, f"{rows:,} rows this week, x{seconds / base:.1f} the contacts kanban"


def measure_pool(env, cr, company):
    """{name: (seconds, queries, extra)} of the pool's measures; leaves the work uncommitted."""
    results = {}
    tiers = {code: env.ref(f"customer_relationship.customer_tier_{code}") for code in ("gold", "iron", "lead")}
    pool = env["customer.pool"].create(
        {
            "name": "Bench pool",
            "company_id": company.id,
            "manager_id": env.ref("base.user_admin").id,
            "rule_ids": [
                (0, 0, {"tier_id": tiers["gold"].id, "no_contact_days": 98, "warning_days": 7}),
                (0, 0, {"tier_id": tiers["iron"].id, "no_contact_days": 95, "warning_days": 7}),
                (0, 0, {"tier_id": tiers["lead"].id, "no_contact_days": 95, "warning_days": 7}),
            ],
        }
    )
    # Whoever holds a customer got it between 0 and 99 days ago.
    cr.execute(
        SQL(
            """UPDATE customer_account SET owner_date = CURRENT_DATE - (partner_id * 7919) %% 100,
                      pool_warned_date = NULL
                WHERE company_id = %s AND user_id IS NOT NULL""",
            company.id,
        )
    )
    cr.execute("ANALYZE customer_account")
    env.invalidate_all()
    Pool = env["customer.pool"]
    today = env.cr.now().date()

    def set_based():
        Pool._refresh_company_dates(company, today=today)

    seconds, queries, _ = bench.timed(cr, set_based)
    results["pool reclaim dates, 100,000"] = (seconds, queries, "one statement, all customers")
    counts = {}

    def baseline():
        # What any reclaim must read: every account with its last done visit, raw SQL, no write.
        cr.execute(
            SQL(
                """SELECT COUNT(*), MAX(last_contact) FROM customer_account a
                   LEFT JOIN (SELECT partner_id, MAX(done_date) AS last_contact FROM customer_visit
                               WHERE state = 'done' AND company_id = %(company)s GROUP BY partner_id) v
                          ON v.partner_id = a.partner_id
                  WHERE a.company_id = %(company)s AND a.user_id IS NOT NULL""",
                company=company.id,
            )
        )
        return cr.fetchall()

    baseline_seconds, baseline_queries, _ = bench.timed(cr, baseline)
    results["pool baseline (raw read)"] = (baseline_seconds, baseline_queries, "accounts and last visits, no write")

    def daily():
        counts.update(Pool._reclaim_company(company, today))

    env.invalidate_all()
    seconds, queries, _ = bench.timed(cr, daily)
    results["pool daily reclaim (s)"] = (
        seconds,
        queries,
        f"{counts['warned']:,} warned, {counts['reclaimed']:,} reclaimed, {seconds / baseline_seconds:.1f} x baseline",
    )
    # The set-based part alone, re-run: the same statements whatever the number of customers.
    env.invalidate_all()
    seconds, queries, _ = bench.timed(cr, lambda: (set_based(), Pool._reclaim_due(company, today)))
    results["  of which set-based (re-run)"] = (seconds, queries, "refresh + move + history")
    env.invalidate_all()
    seconds, queries, _ = bench.timed(cr, lambda: Pool._reclaim_company(company, today))
    results["pool re-run the same day"] = (seconds, queries, "nothing warned or reclaimed twice")

    salesperson = env["res.users"].search([("login", "=", "bench_sales_3")])
    user_env = env(user=salesperson.id, context={"allowed_company_ids": [company.id]})
    accounts = user_env["customer.account"]
    domain, card = bench.action_view(user_env, "customer_relationship.customer_pool_account_action", "kanban")

    def kanban_first_page():
        accounts.web_read_group(
            domain,
            ["tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=card,
            unfold_read_default_limit=40,
        )

    kanban_first_page()
    env.invalidate_all()
    results["pool kanban first page (queries)"] = bench.timed(cr, kanban_first_page)
    results["pool kanban first page (queries)"] = (
        *results["pool kanban first page (queries)"][:2],
        f"{len(pool.account_ids):,} customers in pool",
    )
    return results


def main():
    parser = bench.arguments(__doc__.splitlines()[0])
    parser.add_argument("--pool-only", action="store_true", help="measure the customer pool alone")
    args = parser.parse_args()
    results = {}
    with bench.scratch_database(args) as (env, company):
        cr = env.cr
        if seed(env, cr):
            cr.commit()
        # Accounts the tier bench created before the seed gave the customers a salesperson (in SQL,
        # which the ORM does not pass on to the accounts) take the customer's, as the addon does.
        cr.execute(
            """UPDATE customer_account a SET user_id = p.user_id FROM res_partner p
                WHERE p.id = a.partner_id AND p.ref = 'bench' AND a.user_id IS NULL AND p.user_id IS NOT NULL"""
        )
        env["customer.tier"]._recompute_company_tiers(company)
        cr.commit()
        env.invalidate_all()
        if args.pool_only:
            results.update(measure_pool(env, cr, company))
            cr.rollback()
            print_results(results)
            return

        rules = env["customer.care.rule"]
        today = odoo.fields.Date.today()
        reset_care(cr)
        cr.commit()
        bench.vacuum(cr, "customer_care_action", "mail_activity", "mail_followers", "customer_visit")
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        before = cr.fetchone()[0]
        first, first_queries, _ = bench.timed(cr, lambda: rules._cron_run_care_rules(today=today))
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        created = cr.fetchone()[0] - before
        daily, daily_queries, _ = bench.timed(cr, lambda: rules._cron_run_care_rules(today=today + timedelta(days=1)))
        cr.execute("SELECT COUNT(*) FROM customer_care_action")
        created_daily = cr.fetchone()[0] - before - created
        results["care first run (s)"] = (first, first_queries, f"{created:,} actions")
        results["care daily run (s)"] = (daily, daily_queries, f"{created_daily:,} actions")
        # The other measures print no result.

        admin = env.ref("base.user_admin")
        user_env = env(user=admin.id, context={"allowed_company_ids": [company.id]})
        partners = user_env["res.partner"]
        # The customers kanban, list and tier pivot against Odoo's contacts kanban, as in the tier bench.
        views = bench.read_views(env, company)
        form_spec = bench.view_specification(user_env, "res.partner", "form")
        customer = partners.search([("ref", "=", "bench")], limit=1, order="id")
        customer.web_read(form_spec)
        env.invalidate_all()
        results["customer form (queries)"] = bench.timed(cr, lambda: customer.web_read(form_spec))
        addon_spec = {name: read for name, read in form_spec.items() if partners._fields[name]._module == ADDON}
        env.invalidate_all()
        results["  of which the addon's fields"] = bench.timed(cr, lambda: customer.web_read(addon_spec))
        visits = user_env["customer.visit"]
        env.invalidate_all()
        results["visit pivot, one year"] = bench.timed(
            cr,
            lambda: visits.formatted_read_group(
                [("planned_start", ">=", odoo.fields.Datetime.now() - timedelta(days=365))],
                ["planned_start:month", "user_id"],
                ["__count", "duration:sum"],
            ),
        )
        handover_user = env["res.users"].search([("login", "=", "bench_sales_0")])
        if handover_user:
            results["My Day first paint (s)"] = my_day_first_paint(env, cr, handover_user, company, views)

        if "customer.handover" in env and handover_user:
            wizard = env["customer.handover"].create(
                {"from_user_id": handover_user.id, "to_user_id": admin.id, "company_id": company.id}
            )
            env.invalidate_all()
            results["handover, 5,000 customers"] = bench.timed(cr, wizard.action_apply)
        cr.rollback()
        env.invalidate_all()
        results.update(measure_pool(env, cr, company))
        cr.rollback()
    print(bench.load_note())
    bench.print_views(views)
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
