from odoo import api, fields, models
from odoo.tools import SQL

# Share fields -> the sum they are a share of: the group's part of the same sum over all tiers.
EFFORT_SHARES = {
    "visit_share": "visit_count",
    "hour_share": "visit_hours",
    "value_share": "customer_value",
}
# The groupby fields a share leaves out: its total is over all tiers.
TIER_FIELDS = ("tier_id", "tier_sequence")


class CustomerEffortReport(models.Model):
    """One row per company, salesperson and tier: the salesperson's done visits and visit
    hours over the company's value window, against the value of the salesperson's customers,
    and how many of them were contacted within their tier's interval. See the README,
    "Retention and effort reports", for the definitions."""

    _name = "customer.effort.report"
    _description = "Customer Effort versus Value Analysis"
    _auto = False
    _rec_name = "tier_id"
    _order = "company_id, user_id, tier_sequence, tier_id"
    _depends = {
        "customer.visit": ["company_id", "partner_id", "user_id", "state", "done_date", "duration"],
        "res.partner": ["commercial_partner_id", "active", "user_id", "customer_tier_id", "customer_value"],
        "customer.tier": ["sequence", "visit_interval_days"],
        "res.company": ["currency_id", "customer_value_window_months"],
    }

    # Dimensions
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    tier_id = fields.Many2one("customer.tier", readonly=True, help="The customer's current tier.")
    tier_sequence = fields.Integer(readonly=True, aggregator=False)
    currency_id = fields.Many2one("res.currency", readonly=True)

    # Effort: the salesperson's done visits over the value window, by the visited customer's tier
    visit_count = fields.Integer(string="Done Visits", readonly=True)
    visit_hours = fields.Float(readonly=True, digits=(16, 1))
    # Value: the customers the salesperson is responsible for
    customer_count = fields.Integer(string="Customers", readonly=True)
    customer_value = fields.Monetary(readonly=True)
    covered_count = fields.Integer(
        string="Contacted in Time",
        readonly=True,
        help="Customers whose last done visit is at most the tier's contact interval ago.",
    )

    # Shares and rates (see _read_group_select)
    visit_share = fields.Float(
        string="Share of Visits (%)",
        readonly=True,
        aggregator="avg",
        help="The group's visits over the visits of the same salespeople across all tiers.",
    )
    hour_share = fields.Float(
        string="Share of Hours (%)",
        readonly=True,
        aggregator="avg",
        help="The group's visit hours over the hours of the same salespeople across all tiers.",
    )
    value_share = fields.Float(
        string="Share of Value (%)",
        readonly=True,
        aggregator="avg",
        help="The value of the group's customers over the value of the same salespeople's customers across all tiers.",
    )
    coverage_rate = fields.Float(
        string="Cadence Coverage (%)",
        readonly=True,
        aggregator="avg",
        help="Customers contacted within their tier's interval / customers.",
    )

    @property
    def _table_query(self):
        # A query rather than a database view: the window ends on the user's today.
        return self._effort_query(
            fields.Date.context_today(self), self.env.context.get("tz") or self.env.user.tz or "UTC"
        )

    # A share is the group's sum over the sum of the same group with the tier left out: grouped
    # by salesperson and tier, a tier's share of that salesperson's visits; grouped by tier only,
    # a tier's share of all the selected visits; without the tier, 100%. In SQL: the group's sum
    # over the sum of the sums of the groups that differ from it by their tier only, a window
    # over the grouped rows partitioned by the grouping set (for the pivot's GROUPING SETS) and
    # by the other groupby terms, which _read_group_groupby remembers on the query for
    # _read_group_select (Odoo builds the groupby terms first).

    def _read_group_groupby(self, alias, groupby_spec, query):
        term = super()._read_group_groupby(alias, groupby_spec, query)
        if not hasattr(query, "_effort_groupby_terms"):
            query._effort_groupby_terms = {}
        query._effort_groupby_terms[groupby_spec] = term
        return term

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname == "coverage_rate":
            # Coverage of a group is the ratio of its sums.
            return SQL(
                "ROUND(100.0 * SUM(%s) / NULLIF(SUM(%s), 0), 2)",
                self._field_to_sql(self._table, "covered_count", query),
                self._field_to_sql(self._table, "customer_count", query),
            )
        if fname in EFFORT_SHARES:
            terms = getattr(query, "_effort_groupby_terms", {})
            outer = [term for spec, term in terms.items() if spec.split(".")[0].split(":")[0] not in TIER_FIELDS]
            partition = (
                SQL("PARTITION BY %s", SQL(", ").join([SQL("GROUPING(%s)", SQL(", ").join(terms.values())), *outer]))
                if terms
                else SQL()
            )
            total = SQL("SUM(%s)", self._field_to_sql(self._table, EFFORT_SHARES[fname], query))
            return SQL(
                "COALESCE(ROUND((100.0 * %(total)s / NULLIF(SUM(%(total)s) OVER (%(partition)s), 0))::numeric, 2), 0)",
                total=total,
                partition=partition,
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _effort_query(self, today, tz):
        return SQL(
            """
WITH visits AS (
    SELECT visit.company_id, visit.user_id,
           account.tier_id,
           COUNT(*) AS visit_count, SUM(visit.duration) AS visit_hours
      FROM customer_visit visit
      JOIN res_company company ON company.id = visit.company_id
      LEFT JOIN customer_account account
             ON account.partner_id = visit.partner_id AND account.company_id = visit.company_id
     WHERE visit.state = 'done'
       AND (visit.done_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
           BETWEEN %(today)s - make_interval(months => company.customer_value_window_months) AND %(today)s
  GROUP BY visit.company_id, visit.user_id, 3
),
last_contacts AS (
    SELECT company_id, partner_id,
           MAX((done_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date) AS last_contact
      FROM customer_visit
     WHERE state = 'done'
  GROUP BY company_id, partner_id
),
portfolio AS (
    -- every company where a customer has a tier: its account there and its salesperson there
    -- (an account without a salesperson is nobody's, not the partner's salesperson's: README, "Access")
    SELECT account.company_id, account.user_id, tier.id AS tier_id,
           COUNT(*) AS customer_count,
           SUM(COALESCE(account.value, 0)) AS customer_value,
           COUNT(*) FILTER (WHERE contact.last_contact >= %(today)s - tier.visit_interval_days) AS covered_count
      FROM customer_account account
      JOIN res_partner partner ON partner.id = account.partner_id
      JOIN customer_tier tier ON tier.id = account.tier_id
 LEFT JOIN last_contacts contact
        ON contact.company_id = account.company_id AND contact.partner_id = partner.id
     WHERE partner.active
  GROUP BY account.company_id, 2, tier.id
),
effort AS (
    SELECT company_id, user_id, tier_id,
           SUM(visit_count) AS visit_count, SUM(visit_hours) AS visit_hours,
           SUM(customer_count) AS customer_count, SUM(customer_value) AS customer_value,
           SUM(covered_count) AS covered_count
      FROM (SELECT company_id, user_id, tier_id, visit_count, visit_hours,
                   0 AS customer_count, 0 AS customer_value, 0 AS covered_count
              FROM visits
         UNION ALL
            SELECT company_id, user_id, tier_id, 0, 0, customer_count, customer_value, covered_count
              FROM portfolio) AS parts
  GROUP BY company_id, user_id, tier_id
)
SELECT ROW_NUMBER() OVER (ORDER BY e.company_id, e.user_id, e.tier_id) AS id,
       e.company_id, e.user_id, e.tier_id, tier.sequence AS tier_sequence, company.currency_id,
       e.visit_count::int AS visit_count, e.visit_hours, e.customer_count::int AS customer_count,
       ROUND(e.customer_value, 2) AS customer_value, e.covered_count::int AS covered_count,
       ROUND(100.0 * e.visit_count
             / NULLIF(SUM(e.visit_count) OVER (PARTITION BY e.company_id, e.user_id), 0), 2) AS visit_share,
       ROUND((100.0 * e.visit_hours
             / NULLIF(SUM(e.visit_hours) OVER (PARTITION BY e.company_id, e.user_id), 0))::numeric, 2)
           AS hour_share,
       ROUND(100.0 * e.customer_value
             / NULLIF(SUM(e.customer_value) OVER (PARTITION BY e.company_id, e.user_id), 0), 2) AS value_share,
       ROUND(100.0 * e.covered_count / NULLIF(e.customer_count, 0), 2) AS coverage_rate
  FROM effort e
  JOIN res_company company ON company.id = e.company_id
LEFT JOIN customer_tier tier ON tier.id = e.tier_id
            """,
            today=today,
            tz=tz,
        )
