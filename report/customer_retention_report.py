from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Months kept: the current month and the 35 before it.
RETENTION_MONTHS = 36
# Rates are ratios of the group's counts, whatever the grouping: rate field -> (numerator, denominator) counts.
RETENTION_RATES = {
    "churn_rate": ("churned_count", "active_start_count"),
    "retention_rate": ("retained_count", "active_start_count"),
    "new_rate": ("new_count", "active_start_count"),
}
# Counts a group over several months takes as figures of the period (see _period_count_sql).
PERIOD_COUNTS = {"active_start_count", "active_end_count", "churned_count", "reactivated_count", "retained_count"}
# Columns filled by the refresh, in the order of its SELECT.
SNAPSHOT_COLUMNS = [
    "company_id",
    "month",
    "partner_id",
    "tier_id",
    "churn_date",
    "active_start_count",
    "active_end_count",
    "new_count",
    "reactivated_count",
    "churned_count",
    "retained_count",
    "revenue_at_risk",
    "moved_out_count",
    "moved_in_count",
    "churn_rate",
    "retention_rate",
    "new_rate",
]
FRESH_TABLE = "customer_retention_fresh"


class CustomerRetentionReport(models.Model):
    """One row per company, month and customer whose status counts in that month (active at
    the start or at the end of the month, or won in it), derived from the confirmed orders (or
    posted invoices, following the company's value basis) as they stand, so that past months
    come out right whatever happened since. See the README, "Retention and effort reports".

    A snapshot table, refreshed per company by ``_refresh_company`` (nightly by its own scheduled
    action, ``_cron_refresh``, after the tier recomputation): computed on every read, 100,000
    customers and 1,000,000 orders would cost the pivot seconds per click. The salesperson is read
    live from the customer."""

    _name = "customer.retention.report"
    _inherit = ["customer.account.owner.mixin"]  # the rows of a salesperson's customers (README, "Access")
    _description = "Customer Retention and Churn Analysis"
    _rec_name = "partner_id"
    _order = "month desc, id"
    _log_access = False

    # Dimensions
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    month = fields.Date(required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    tier_id = fields.Many2one(
        "customer.tier",
        readonly=True,
        ondelete="set null",
        help="The customer's tier at the start of the month.",
    )
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    team_id = fields.Many2one(
        related="partner_id.user_id.sale_team_id", string="Sales Team", help="The salesperson's main sales team."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    churn_date = fields.Date(
        string="Churned On", readonly=True, help="The day the customer became dormant: last order + dormant days."
    )

    # Counts: 0 or 1 per row, summed by the pivot
    active_start_count = fields.Integer(
        string="Active at Start", readonly=True, help="Active on the day before the month starts."
    )
    active_end_count = fields.Integer(
        string="Active at End",
        readonly=True,
        help="Active on the last day of the month (for the current month: on the day of the computation).",
    )
    new_count = fields.Integer(string="New", readonly=True, help="First order ever in the month.")
    reactivated_count = fields.Integer(
        string="Won Back",
        readonly=True,
        help="Active at the end of the month, not at its start, and ordered before the month.",
    )
    churned_count = fields.Integer(
        string="Churned", readonly=True, help="Active at the start of the month and not at its end."
    )
    retained_count = fields.Integer(string="Retained", readonly=True, help="Active at the start and at the end.")
    revenue_at_risk = fields.Monetary(
        readonly=True,
        help="Customer value (the value window's orders) of the churned customers on the day they churned.",
    )
    # A tier move between two months: in a group by tier, the customer leaves one tier's stock for
    # another's without churning or being won back (see _period_count_sql).
    moved_out_count = fields.Integer(
        string="Moved to Another Tier", readonly=True, help="In another tier at the start of the next month."
    )
    moved_in_count = fields.Integer(
        string="Moved from Another Tier", readonly=True, help="In another tier at the start of the previous month."
    )

    # Rates: ratios of the sums of the counts (see _read_group_select)
    churn_rate = fields.Float(
        string="Churn Rate (%)", readonly=True, aggregator="avg", help="Churned / active at start."
    )
    retention_rate = fields.Float(
        string="Retention Rate (%)", readonly=True, aggregator="avg", help="Retained / active at start."
    )
    new_rate = fields.Float(
        string="New Customer Rate (%)", readonly=True, aggregator="avg", help="New / active at start."
    )

    # A constraint, not a unique index: merging customers expects constraints (the merge then drops
    # the merged customer's rows where they collide; the next refresh counts them again).
    _company_month_partner_unique = models.Constraint(
        "UNIQUE(company_id, month, partner_id)", "A customer has one retention row per company and month."
    )

    def _read_group_select(self, aggregate_spec, query):
        """A group over several months gives the figures of its period, not sums of monthly ones:
        the customers active at the start of its first month and at the end of its last month,
        those of the start gone by the end (churned) or there at both (retained), those of the end
        who were neither there at the start nor new (won back), and the rates as ratios of these."""
        fname, __, func = aggregate_spec.partition(":")
        if fname in RETENTION_RATES:
            numerator, denominator = RETENTION_RATES[fname]
            return SQL(
                "ROUND(100.0 * %s / NULLIF(%s, 0), 2)",
                self._period_count_sql(numerator, query),
                self._period_count_sql(denominator, query),
            )
        if func == "sum" and fname in PERIOD_COUNTS:
            return self._period_count_sql(fname, query)
        if func == "sum" and fname == "revenue_at_risk":
            return self._period_revenue_at_risk_sql(query)
        return super()._read_group_select(aggregate_spec, query)

    def _period_revenue_at_risk_sql(self, query):
        """The revenue at risk of a group's period: the value of its churned customers (active at
        the start, not at the end: see _period_count_sql) on the day of their last churn in it; a
        customer who lapses and comes back within the period is retained, and risks nothing."""
        month, company, partner, revenue = (
            self._field_to_sql(self._table, name, query)
            for name in ("month", "company_id", "partner_id", "revenue_at_risk")
        )
        churned = self._churned_customers_sql(query)
        return SQL(
            """(SELECT COALESCE(SUM(last_churn.value), 0) FROM (
                    SELECT DISTINCT ON (churn.customer) churn.value
                      FROM unnest(ARRAY_AGG(%(company)s || '-' || %(partner)s) FILTER (WHERE %(revenue)s > 0),
                                  ARRAY_AGG(%(month)s) FILTER (WHERE %(revenue)s > 0),
                                  ARRAY_AGG(%(revenue)s) FILTER (WHERE %(revenue)s > 0))
                           AS churn(customer, month, value)
                     WHERE churn.customer IN (%(churned)s)
                  ORDER BY churn.customer, churn.month DESC) AS last_churn)""",
            company=company,
            partner=partner,
            month=month,
            revenue=revenue,
            churned=churned,
        )

    def _period_count_sql(self, fname, query):
        """The SQL aggregate of count ``fname`` over the rows of a group (see _read_group_select)."""

        def column(name):
            return self._field_to_sql(self._table, name, query)

        start = self._edge_customers_sql("active_start_count", "MIN", query)
        end = self._edge_customers_sql("active_end_count", "MAX", query)
        if fname == "active_start_count":
            return SQL("(SELECT COUNT(*) FROM (%s) AS period_start)", start)
        if fname == "active_end_count":
            return SQL("(SELECT COUNT(*) FROM (%s) AS period_end)", end)
        if fname == "retained_count":
            # active at the start of the period and still at its end
            return SQL("(SELECT COUNT(*) FROM (%s INTERSECT %s) AS period_retained)", start, end)
        if fname == "churned_count":
            return SQL("(SELECT COUNT(*) FROM (%s) AS period_churned)", self._churned_customers_sql(query))
        if fname == "reactivated_count":
            # active at the end, not at the start, and not new in the period; nor a customer that
            # moved in from another group (a tier) in it
            new = self._edge_customers_sql("new_count", None, query)
            moved_in = self._edge_customers_sql("moved_in_count", None, query)
            return SQL(
                "(SELECT COUNT(*) FROM (%s EXCEPT %s EXCEPT %s EXCEPT %s) AS period_won_back)",
                end,
                start,
                new,
                moved_in,
            )
        return SQL("SUM(%s)", column(fname))

    def _churned_customers_sql(self, query):
        """SELECT of a group's churned customers: active at the start and not at the end. A
        customer who lapses and comes back within the period is retained, as within a month, so
        that churn and retention rates add up to 100%; one that moved out to another group (a
        tier) has not churned either."""
        return SQL(
            "%s EXCEPT %s EXCEPT %s",
            self._edge_customers_sql("active_start_count", "MIN", query),
            self._edge_customers_sql("active_end_count", "MAX", query),
            self._edge_customers_sql("moved_out_count", None, query),
        )

    def _edge_customers_sql(self, flag_field, edge, query):
        """SELECT of the customers ("company-partner" texts) of a group's rows with ``flag_field``
        set, in the group's first (edge MIN) or last (MAX) month, or in any (edge None). The array
        of "month company-partner" texts and MIN/MAX read only the outer query's columns, so PostgreSQL
        aggregates them over the outer group, and builds each array once for all its uses."""
        month, company, partner, flag = (
            self._field_to_sql(self._table, name, query) for name in ("month", "company_id", "partner_id", flag_field)
        )
        in_edge_month = SQL("split_part(edge.key, ' ', 1) = %s(%s)::text", SQL(edge), month) if edge else SQL("TRUE")
        return SQL(
            """SELECT split_part(edge.key, ' ', 2)
                 FROM unnest(ARRAY_AGG(%(month)s::text || ' ' || %(company)s || '-' || %(partner)s)
                             FILTER (WHERE %(flag)s = 1)) AS edge(key)
                WHERE %(in_edge_month)s""",
            month=month,
            company=company,
            partner=partner,
            flag=flag,
            in_edge_month=in_edge_month,
        )

    @api.model
    def _cron_refresh(self):
        """Nightly, after the tier recomputation, whose tier moves give the rows their tiers: each
        company's snapshot, one company per step (see _refresh_company)."""
        # A database holds a handful of companies: each is one set-based batch.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        companies._cron_run_per_company(self._refresh_company, "Retention report refresh")

    @api.model
    def _refresh_company(self, company, today=None):
        """Bring the rows of ``company`` to its figures as of ``today``. Only the rows that
        differ are written: from one night to the next, the rows of the customers whose status
        changed and, on the first of a month, the new month's; rewriting every row would cost
        most of the time (a row per customer and month, with its indexes and foreign keys)."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        fresh = SQL.identifier(FRESH_TABLE)
        table = SQL.identifier(self._table)
        columns = [SQL.identifier(column) for column in SNAPSHOT_COLUMNS]
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", fresh))
        self.env.cr.execute(
            SQL("CREATE TEMPORARY TABLE %s ON COMMIT DROP AS %s", fresh, self._snapshot_query(company, today))
        )
        self.env.cr.execute(SQL("ANALYZE %s", fresh))
        self.env.cr.execute(
            SQL(
                """DELETE FROM %(table)s report
                    WHERE report.company_id = %(company)s
                      AND NOT EXISTS (
                          SELECT 1 FROM %(fresh)s fresh
                           WHERE fresh.partner_id = report.partner_id AND fresh.month = report.month
                             AND (%(fresh_values)s) IS NOT DISTINCT FROM (%(report_values)s))""",
                table=table,
                fresh=fresh,
                company=company.id,
                fresh_values=SQL(", ").join(SQL("fresh.%s", column) for column in columns),
                report_values=SQL(", ").join(SQL("report.%s", column) for column in columns),
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(table)s (%(columns)s)
                   SELECT %(columns)s FROM %(fresh)s fresh
                    WHERE NOT EXISTS (
                          SELECT 1 FROM %(table)s report
                           WHERE report.company_id = %(company)s
                             AND report.partner_id = fresh.partner_id AND report.month = fresh.month)""",
                table=table,
                fresh=fresh,
                company=company.id,
                columns=SQL(", ").join(columns),
            )
        )
        self.env.cr.execute(SQL("DROP TABLE %s", fresh))
        self.invalidate_model()

    @api.model
    def _snapshot_query(self, company, today):
        current_month = today.replace(day=1)
        first_month = current_month - relativedelta(months=RETENTION_MONTHS - 1)
        # The value basis of the tier computation.
        orders = company._customer_value_orders(today)
        return SQL(
            """
WITH orders AS (%(orders)s),
order_days AS (
    SELECT partner_id, order_date, SUM(amount) AS amount
      FROM orders
  GROUP BY partner_id, order_date
),
flagged AS (
    -- an order starts a spell of activity unless the previous one is less than dormant_days before
    SELECT partner_id, order_date,
           CASE WHEN order_date - LAG(order_date) OVER customer < %(dormant_days)s THEN 0 ELSE 1 END AS spell_start,
           ROW_NUMBER() OVER customer = 1 AS first_order
      FROM order_days
    WINDOW customer AS (PARTITION BY partner_id ORDER BY order_date)
),
numbered AS (
    SELECT *, SUM(spell_start) OVER (PARTITION BY partner_id ORDER BY order_date) AS spell
      FROM flagged
),
spells AS (
    -- a spell is active from its first order to the day before its churn date
    SELECT partner_id, spell,
           MIN(order_date) AS won_date,
           MAX(order_date) + %(dormant_days)s AS churn_date,
           BOOL_OR(first_order) AS first_spell
      FROM numbered
  GROUP BY partner_id, spell
    HAVING MAX(order_date) + %(dormant_days)s >= %(first_month)s
),
churn_values AS (
    -- the customer value on the churn date: the orders of the value window before it
    SELECT s.partner_id, s.spell, SUM(d.amount) AS value
      FROM spells s
      JOIN order_days d
        ON d.partner_id = s.partner_id
       AND d.order_date >= s.churn_date - make_interval(months => %(window_months)s) AND d.order_date < s.churn_date
     WHERE s.churn_date <= %(today)s
  GROUP BY s.partner_id, s.spell
),
spell_months AS (
    SELECT s.partner_id, s.won_date, s.churn_date, s.first_spell, cv.value,
           m.month::date AS month,
           -- the day before the month, and its last day (today for the current month)
           m.month::date - 1 AS start_day,
           LEAST((m.month + INTERVAL '1 month')::date - 1, %(today)s) AS end_day
      FROM spells s
 LEFT JOIN churn_values cv ON cv.partner_id = s.partner_id AND cv.spell = s.spell
     CROSS JOIN LATERAL generate_series(
               GREATEST(date_trunc('month', s.won_date), %(first_month)s::timestamp),
               LEAST(date_trunc('month', s.churn_date), %(current_month)s::timestamp),
               INTERVAL '1 month') AS m(month)
),
statuses AS (
    SELECT partner_id, month,
           BOOL_OR(won_date <= start_day AND churn_date > start_day) AS active_start,
           BOOL_OR(won_date <= end_day AND churn_date > end_day) AS active_end,
           BOOL_OR(first_spell AND won_date > start_day AND won_date <= end_day) AS is_new,
           -- when the customer churns, the spell active at the start is the one that ends
           MAX(CASE WHEN won_date <= start_day AND churn_date > start_day AND churn_date <= end_day
                    THEN churn_date END) AS churn_date,
           SUM(CASE WHEN won_date <= start_day AND churn_date > start_day AND churn_date <= end_day
                    THEN COALESCE(value, 0) END) AS churn_value
      FROM spell_months
  GROUP BY partner_id, month
),
tier_periods AS (
    -- the tier in force from each history row to the next; before the first row, the tier
    -- that row replaced (or, for a first classification, the tier it gave)
    SELECT partner_id, new_tier_id AS tier_id, date AS valid_from,
           LEAD(date) OVER (PARTITION BY partner_id ORDER BY date, id) AS valid_to
      FROM customer_tier_history
     WHERE company_id = %(company)s
 UNION ALL
   (SELECT DISTINCT ON (h.partner_id)
           h.partner_id, COALESCE(h.old_tier_id, h.new_tier_id), '-infinity'::date, h.date
      FROM customer_tier_history h
     WHERE h.company_id = %(company)s
  ORDER BY h.partner_id, h.date, h.id)
)
SELECT company_id, month, partner_id, tier_id, churn_date, active_start_count, active_end_count, new_count,
       reactivated_count, churned_count, retained_count, revenue_at_risk,
       -- a tier move between this month and the next (or the previous one)
       (active_end_count = 1 AND LEAD(month) OVER customer = month + INTERVAL '1 month'
        AND LEAD(tier_id) OVER customer IS DISTINCT FROM tier_id)::int AS moved_out_count,
       (active_start_count = 1 AND LAG(month) OVER customer = month - INTERVAL '1 month'
        AND LAG(tier_id) OVER customer IS DISTINCT FROM tier_id)::int AS moved_in_count,
       churn_rate, retention_rate, new_rate
  FROM (
SELECT %(company)s AS company_id, st.month, st.partner_id,
       COALESCE(tp.tier_id, account.tier_id) AS tier_id,
       CASE WHEN st.active_start AND NOT st.active_end THEN st.churn_date END AS churn_date,
       st.active_start::int AS active_start_count,
       st.active_end::int AS active_end_count,
       st.is_new::int AS new_count,
       (st.active_end AND NOT st.active_start AND NOT st.is_new)::int AS reactivated_count,
       (st.active_start AND NOT st.active_end)::int AS churned_count,
       (st.active_start AND st.active_end)::int AS retained_count,
       CASE WHEN st.active_start AND NOT st.active_end THEN ROUND(st.churn_value, 2) ELSE 0 END
           AS revenue_at_risk,
       -- a row's own rates, for the list; groups get the ratios of their sums (_read_group_select)
       CASE WHEN st.active_start THEN 100 * (NOT st.active_end)::int END AS churn_rate,
       CASE WHEN st.active_start THEN 100 * st.active_end::int END AS retention_rate,
       NULL::numeric AS new_rate
  FROM statuses st
LEFT JOIN customer_account account ON account.partner_id = st.partner_id AND account.company_id = %(company)s
LEFT JOIN tier_periods tp
       ON tp.partner_id = st.partner_id
      AND tp.valid_from <= st.month AND (tp.valid_to IS NULL OR st.month < tp.valid_to)
       ) AS customer_months
WINDOW customer AS (PARTITION BY partner_id ORDER BY month)
            """,
            company=company.id,
            today=today,
            first_month=first_month,
            current_month=current_month,
            orders=orders,
            dormant_days=company.customer_dormant_days,
            window_months=company.customer_value_window_months,
        )
