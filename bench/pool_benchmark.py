"""The customer pool at scale (part of ``make bench-scale``; not a test).

On the scale benchmark's database (100,000 customers, 25 salespeople, 200,000 visits): one pool
whose rules reclaim Gold, Iron and Lead customers after 95 to 98 days without contact (Platinum
has no rule), the salespeople's start dates spread over the last 100 days; then times the daily
reclaim run (warnings and reclaims of a few thousand customers) with the query count of its
set-based part, and the pool kanban's first page as a salesperson reads it. Everything is rolled
back afterwards.
"""

from odoo.tools import SQL

TARGETS = {"pool daily reclaim (s)": 10.0, "pool kanban first page (queries)": 40}
# What the pool kanban's cards read, as the web client asks (display names of the many2ones).
POOL_CARD = {
    name: {"fields": {"display_name": {}}} if name in ("partner_id", "currency_id", "previous_user_id") else {}
    for name in (
        "partner_id",
        "partner_city",
        "value",
        "currency_id",
        "last_contact_date",
        "pool_days",
        "lifecycle",
        "previous_user_id",
    )
}


def measure(env, cr, company, timed):
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

    seconds, queries, _ = timed(cr, set_based)
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

    baseline_seconds, baseline_queries, _ = timed(cr, baseline)
    results["pool baseline (raw read)"] = (baseline_seconds, baseline_queries, "accounts and last visits, no write")

    def daily():
        counts.update(Pool._reclaim_company(company, today))

    env.invalidate_all()
    seconds, queries, _ = timed(cr, daily)
    results["pool daily reclaim (s)"] = (
        seconds,
        queries,
        f"{counts['warned']:,} warned, {counts['reclaimed']:,} reclaimed, {seconds / baseline_seconds:.1f} x baseline",
    )
    # The set-based part alone, re-run: the same statements whatever the number of customers.
    env.invalidate_all()
    seconds, queries, _ = timed(cr, lambda: (set_based(), Pool._reclaim_due(company, today)))
    results["  of which set-based (re-run)"] = (seconds, queries, "refresh + move + history")
    env.invalidate_all()
    seconds, queries, _ = timed(cr, lambda: Pool._reclaim_company(company, today))
    results["pool re-run the same day"] = (seconds, queries, "nothing warned or reclaimed twice")

    salesperson = env["res.users"].search([("login", "=", "bench_sales_3")])
    accounts = env(user=salesperson.id, context={"allowed_company_ids": [company.id]})["customer.account"]

    def kanban_first_page():
        accounts.web_read_group(
            [("customer_pool_id", "!=", False)],
            ["tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=POOL_CARD,
            unfold_read_default_limit=40,
        )

    kanban_first_page()
    env.invalidate_all()
    results["pool kanban first page (queries)"] = timed(cr, kanban_first_page)
    results["pool kanban first page (queries)"] = (
        *results["pool kanban first page (queries)"][:2],
        f"{len(pool.account_ids):,} customers in pool",
    )
    return results
