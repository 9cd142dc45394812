from itertools import pairwise

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .customer_account import ACCOUNT_PARTNER_FIELDS, ANALYZE_AFTER_ROWS, COMPUTED_ACCOUNT_FIELDS, RELATIONSHIP_LEVELS

COMPUTED_TABLE = "customer_tier_computed"
# Lifecycle (README, "Design", step 5): a customer is at risk once it has not ordered for this many
# times its own average interval between orders.
AT_RISK_INTERVAL_FACTOR = 1.5
# RFM scores run from 1 to RFM_SCORES (quintiles of rank). The segments (README, "RFM segments")
# call a customer recent from a recency score of RFM_RECENT, fairly recent from RFM_FAIRLY_RECENT,
# lapsing at RFM_LAPSING, and a big buyer from a frequency + monetary score of RFM_BIG_BUYER, a
# good one from RFM_GOOD_BUYER.
RFM_SCORES = 5
RFM_RECENT = 4
RFM_FAIRLY_RECENT = 3
RFM_LAPSING = 2
RFM_BIG_BUYER = 8
RFM_GOOD_BUYER = 6


class CustomerTier(models.Model):
    _name = "customer.tier"
    _description = "Customer Tier"
    _order = "sequence, id"

    # Identification
    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code used in reports and imports, e.g. A, B, C.")
    sequence = fields.Integer(default=10, help="Tiers are matched from the lowest sequence (best) up.")
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the tier with every company that defines no tiers of its own.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")

    # Classification
    share_limit = fields.Float(
        string="Cumulative Share Limit (%)",
        required=True,
        digits=(5, 2),
        help="Customers sorted by value, a customer belongs to the first tier whose limit is at "
        "least the cumulative share of value reached at that customer.",
    )
    min_value = fields.Monetary(
        string="Minimum Value",
        currency_field="currency_id",
        help="Optional floor: a customer below it falls to the next tier whatever its share.",
    )

    # Service standard
    visit_interval_days = fields.Integer(
        string="Contact Every (days)",
        required=True,
        default=30,
        help="Service standard: how often a customer of this tier should be visited or contacted.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Tier Manager",
        domain="[('share', '=', False)]",
        help="Who answers for the customers of this tier, e.g. the general manager for Platinum; "
        "care rules may assign their actions to this person.",
    )
    target_relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS,
        required=True,
        default="reactive",
        help="Relationship level the customers of this tier should reach (Kotler).",
    )
    service_standard = fields.Html(
        translate=True, help="Who serves this tier, the attitude to take and the benefits granted."
    )
    customer_count = fields.Integer(compute="_compute_customer_count")

    _share_limit_range = models.Constraint(
        "CHECK(share_limit >= 0 AND share_limit <= 100)",
        "The cumulative share limit of a tier must be between 0% and 100%.",
    )
    _visit_interval_positive = models.Constraint(
        "CHECK(visit_interval_days > 0)",
        "The contact interval of a tier must be a positive number of days.",
    )
    _min_value_positive = models.Constraint(
        "CHECK(min_value IS NULL OR min_value >= 0)",
        "The minimum value of a tier cannot be negative.",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for tier in self:
            tier.currency_id = tier.company_id.currency_id or self.env.company.currency_id

    @api.depends_context("company")
    def _compute_customer_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("customer_tier_id", "in", self.ids), ("parent_id", "=", False)],
                ["customer_tier_id"],
                ["__count"],
            )
        )
        for tier in self:
            tier.customer_count = counts.get(tier, 0)

    @api.constrains("share_limit", "sequence", "company_id", "active")
    def _check_share_limits(self):
        # Data files create a tier set one record at a time: only its order is checked then,
        # its completeness when it is used (see _build_computed_table).
        check_complete = not self.env.context.get("install_mode")
        for company_id in {tier.company_id.id for tier in self}:
            self.search([("company_id", "=", company_id)])._check_tier_set(check_complete)

    def _check_tier_set(self, check_complete=True):
        """``self``: one company's tiers in sequence order."""
        limits = self.mapped("share_limit")
        if any(low >= high for low, high in pairwise(limits)):
            raise ValidationError(
                self.env._(
                    "Cumulative share limits must strictly increase with the sequence of the tiers (%(tiers)s).",
                    tiers=", ".join(f"{t.name} {t.share_limit:g}%" for t in self),
                )
            )
        if check_complete and limits and limits[-1] < 100:
            raise ValidationError(
                self.env._(
                    "The last tier (%(tier)s) must reach 100%% of the cumulative share, so that "
                    "every customer gets a tier.",
                    tier=self[-1].name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_breaking_tier_set(self):
        for company_id in {tier.company_id.id for tier in self}:
            remaining = self.search([("company_id", "=", company_id), ("id", "not in", self.ids)])
            remaining._check_tier_set()

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.res_partner_customer_action")
        action["domain"] = [("customer_tier_id", "=", self.id), ("parent_id", "=", False)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------
    # Tier moves
    # ------------------------------------------------------------

    @api.model
    def _move_direction(self, old_tier, new_tier):
        """The direction of a customer's move from ``old_tier`` to ``new_tier``: "new" without an
        old tier (a first classification), "up" to a better tier (earlier in the tiers' order:
        sequence, then id), "down" to a worse one, False when the tier stays. The one statement of
        the rule: _move_direction_sql says the same in SQL."""
        if not old_tier:
            return "new"
        if old_tier == new_tier:
            return False
        return "up" if (new_tier.sequence, new_tier.id) < (old_tier.sequence, old_tier.id) else "down"

    @api.model
    def _move_direction_sql(self, old_alias, new_alias):
        """_move_direction as an SQL expression over two aliases of customer_tier, the old tier's
        (LEFT JOINed: NULL for a first classification) and the new one's; NULL when the tier stays."""

        def key(alias):
            return SQL("(%s, %s)", SQL.identifier(alias, "sequence"), SQL.identifier(alias, "id"))

        return SQL(
            "CASE WHEN %(old_id)s IS NULL THEN 'new' "
            "WHEN %(new)s < %(old)s THEN 'up' WHEN %(new)s > %(old)s THEN 'down' END",
            old_id=SQL.identifier(old_alias, "id"),
            old=key(old_alias),
            new=key(new_alias),
        )

    # ------------------------------------------------------------
    # Recomputation
    # ------------------------------------------------------------

    @api.model
    def _tiers_for_company(self, company):
        """A company's own tiers when it has any, else the shared ones."""
        return self.search([("company_id", "=", company.id)]) or self.search([("company_id", "=", False)])

    @api.model
    def _cron_recompute_customer_tiers(self):
        # A database holds a handful of companies: each is one set-based batch.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        companies._cron_run_per_company(self._recompute_company_tiers, "Customer tier recomputation")

    @api.model
    def _recompute_company_tiers(self, company, today=None):
        """Classify every customer of ``company`` and store what changed.

        Returns a dict of counts: ``changed`` partners rows written, ``up``, ``down``, ``new``.
        """
        today = today or fields.Date.context_today(self)
        self._build_computed_table(company, today)
        # The repeat-buying model's figures and lifecycle (README, "Who will buy again").
        self.env["customer.prediction.model"]._predict_computed_table(company, today)
        result = self._apply_computed_table(company, today)
        self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(COMPUTED_TABLE)))
        return result

    @api.model
    def _build_computed_table(self, company, today=None):
        """Fill the temporary table ``customer_tier_computed``: one row per customer of the
        company with its new figures and its current tier, in a single statement."""
        tiers = self._tiers_for_company(company)
        if not tiers:
            raise ValidationError(self.env._("No customer tier is defined for %(company)s.", company=company.name))
        tiers._check_tier_set()
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        window_start = today - relativedelta(months=company.customer_value_window_months)
        orders = company._customer_value_orders(today, margins=True)
        at_risk_days = company.customer_at_risk_days or None
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(COMPUTED_TABLE)))
        self.env.cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE %(table)s ON COMMIT DROP AS
WITH orders AS (%(orders)s),
per_partner AS (
    SELECT partner_id,
           MIN(order_date) AS first_order_date,
           MAX(order_date) AS last_order_date,
           COUNT(*) AS lifetime_count,
           -- repeat-buying model inputs (models/customer_prediction.py): purchases counted by day
           COUNT(DISTINCT order_date) FILTER (WHERE amount > 0) AS order_days,
           SUM(amount) AS lifetime_value,
           COUNT(*) FILTER (WHERE order_date >= %(window_start)s) AS order_count,
           COALESCE(SUM(amount) FILTER (WHERE order_date >= %(window_start)s), 0) AS value,
           SUM(margin) FILTER (WHERE order_date >= %(window_start)s) AS margin,
           SUM(costed_amount) FILTER (WHERE order_date >= %(window_start)s) AS costed_amount
      FROM orders
  GROUP BY partner_id
),
customers AS (
    SELECT cp.id AS partner_id,
           account.tier_id AS old_tier_id,
           COALESCE(account.tier_locked, FALSE) AS locked,
           account.loss_date,
           pp.first_order_date, pp.last_order_date, pp.order_days, pp.lifetime_value,
           COALESCE(pp.order_count, 0) AS order_count,
           ROUND(COALESCE(pp.value, 0), 2) AS value,
           -- unknown (NULL) when no order line of the window has a cost
           ROUND(100 * pp.margin / NULLIF(pp.costed_amount, 0), 2) AS margin_rate,
           ROUND((pp.last_order_date - pp.first_order_date)::numeric
                 / NULLIF(pp.lifetime_count - 1, 0), 1) AS average_order_interval
      FROM res_partner cp
 LEFT JOIN per_partner pp ON pp.partner_id = cp.id
 LEFT JOIN customer_account account ON account.partner_id = cp.id AND account.company_id = %(company)s
     WHERE cp.active AND cp.id = cp.commercial_partner_id
       AND (pp.partner_id IS NOT NULL
            OR (cp.customer_rank > 0 AND (cp.company_id IS NULL OR cp.company_id = %(company)s)))
),
ranked AS (
    SELECT c.*,
           RANK() OVER (ORDER BY c.value DESC) AS value_rank,
           -- peers (equal values) share one cumulative share, so ties get the same tier
           CASE WHEN c.value > 0
                THEN 100 * SUM(GREATEST(c.value, 0)) OVER (ORDER BY c.value DESC)
                     / NULLIF(SUM(GREATEST(c.value, 0)) OVER (), 0)
                ELSE 100 END AS exact_share,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + %(rfm_scores)s * (
                RANK() OVER (PARTITION BY c.last_order_date IS NULL ORDER BY c.last_order_date) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS recency_score,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + %(rfm_scores)s * (
                RANK() OVER (PARTITION BY c.last_order_date IS NULL ORDER BY c.order_count) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS frequency_score,
           CASE WHEN c.last_order_date IS NOT NULL THEN 1 + %(rfm_scores)s * (
                RANK() OVER (PARTITION BY c.last_order_date IS NULL ORDER BY c.value) - 1)
                / COUNT(*) OVER (PARTITION BY c.last_order_date IS NULL) END AS monetary_score
      FROM customers c
)
SELECT r.partner_id, r.old_tier_id, r.value, r.value_rank, r.order_count, r.margin_rate,
       CASE WHEN r.margin_rate IS NOT NULL THEN TRUE END AS margin_known,
       r.first_order_date, r.last_order_date, r.average_order_interval, r.order_days, r.lifetime_value,
       ROUND(r.exact_share, 2) AS value_share,
       r.last_order_date + ROUND(r.average_order_interval)::int AS expected_next_order_date,
       r.recency_score, r.frequency_score, r.monetary_score,
       CASE WHEN r.locked AND r.old_tier_id IS NOT NULL THEN r.old_tier_id
            WHEN r.value > 0 THEN COALESCE(CASE %(tier_choice)s END, %(last_tier)s)
            ELSE %(last_tier)s END AS tier_id,
       CASE WHEN r.first_order_date IS NULL THEN 'prospect'
            -- marked as lost (Mark as Lost) and no order since
            WHEN r.loss_date IS NOT NULL AND r.last_order_date <= r.loss_date THEN 'lost'
            WHEN %(today)s - r.last_order_date >= %(lost_days)s THEN 'lost'
            WHEN %(today)s - r.last_order_date >= %(dormant_days)s THEN 'dormant'
            WHEN %(today)s - r.first_order_date < %(new_days)s THEN 'new'
            WHEN %(today)s - r.last_order_date > %(at_risk_factor)s * NULLIF(r.average_order_interval, 0)
              OR %(today)s - r.last_order_date > %(at_risk_days)s THEN 'at_risk'
            ELSE 'active' END AS lifecycle,
       CASE WHEN r.last_order_date IS NULL THEN NULL
            WHEN r.recency_score >= %(recent)s AND (r.frequency_score + r.monetary_score) >= %(big)s THEN 'champions'
            WHEN r.recency_score >= %(fairly_recent)s AND (r.frequency_score + r.monetary_score) >= %(good)s
                 THEN 'loyal'
            WHEN r.recency_score >= %(recent)s THEN 'promising'
            WHEN r.recency_score = %(fairly_recent)s THEN 'need_attention'
            WHEN (r.frequency_score + r.monetary_score) >= %(big)s THEN 'cannot_lose'
            WHEN (r.frequency_score + r.monetary_score) >= %(good)s THEN 'at_risk'
            WHEN r.recency_score = %(lapsing)s THEN 'hibernating'
            ELSE 'lost' END AS rfm_segment
  FROM ranked r
                """,
                table=SQL.identifier(COMPUTED_TABLE),
                orders=orders,
                company=company.id,
                window_start=window_start,
                today=today,
                # the first tier, in sequence, whose limit the share reaches and whose floor the value meets
                tier_choice=SQL(" ").join(
                    SQL(
                        "WHEN r.exact_share <= %s::numeric AND r.value >= %s::numeric THEN %s",
                        t.share_limit,
                        t.min_value or 0,
                        t.id,
                    )
                    for t in tiers
                ),
                last_tier=tiers[-1].id,
                new_days=company.customer_new_days,
                at_risk_days=at_risk_days,
                dormant_days=company.customer_dormant_days,
                lost_days=company.customer_lost_days,
                at_risk_factor=AT_RISK_INTERVAL_FACTOR,
                rfm_scores=RFM_SCORES,
                recent=RFM_RECENT,
                fairly_recent=RFM_FAIRLY_RECENT,
                lapsing=RFM_LAPSING,
                big=RFM_BIG_BUYER,
                good=RFM_GOOD_BUYER,
            )
        )
        self.env.cr.execute(SQL("CREATE INDEX ON %s (partner_id)", SQL.identifier(COMPUTED_TABLE)))
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(COMPUTED_TABLE)))

    @api.model
    def _apply_computed_table(self, company, today):
        """Write the computed figures on the customers' accounts in the company where they
        differ (one INSERT ... ON CONFLICT DO UPDATE ... WHERE changed: no partner row is
        touched), log tier moves in the history and in the customers' chatter."""
        columns = [SQL.identifier(column) for column in COMPUTED_ACCOUNT_FIELDS]
        now = SQL("NOW() AT TIME ZONE 'UTC'")
        updated = self.env.execute_query(
            SQL(
                """INSERT INTO customer_account AS account
                          (partner_id, company_id, user_id, relationship_level, %(columns)s,
                           create_uid, write_uid, create_date, write_date)
                   SELECT c.partner_id, %(company)s, partner.user_id, 'basic', %(sources)s,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM %(table)s c
                     JOIN res_partner partner ON partner.id = c.partner_id
              ON CONFLICT (partner_id, company_id) DO UPDATE
                      SET %(assignments)s, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                    WHERE (%(old)s) IS DISTINCT FROM (%(new)s)
                RETURNING account.partner_id""",
                columns=SQL(", ").join(columns),
                sources=SQL(", ").join(SQL("c.%s", column) for column in columns),
                assignments=SQL(", ").join(SQL("%s = EXCLUDED.%s", column, column) for column in columns),
                old=SQL(", ").join(SQL("account.%s", column) for column in columns),
                new=SQL(", ").join(SQL("EXCLUDED.%s", column) for column in columns),
                company=company.id,
                uid=self.env.uid,
                now=now,
                table=SQL.identifier(COMPUTED_TABLE),
            )
        )
        if len(updated) > ANALYZE_AFTER_ROWS:
            # Many accounts opened or changed (a first classification, an upgrade): the planner
            # must not keep judging the table by its former size, or the joins of the views and
            # of the next run go through nested loops over 100,000 rows.
            self.env.cr.execute("ANALYZE customer_account")
        moves = self.env.execute_query(
            SQL(
                """INSERT INTO customer_tier_history
                          (partner_id, company_id, date, old_tier_id, new_tier_id, direction,
                           value, value_rank, value_share, create_uid, write_uid, create_date, write_date)
                   SELECT c.partner_id, %(company)s, %(today)s, c.old_tier_id, c.tier_id,
                          %(direction)s,
                          c.value, c.value_rank, c.value_share, %(uid)s, %(uid)s,
                          NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                     FROM %(table)s c
                     JOIN customer_tier new ON new.id = c.tier_id
                LEFT JOIN customer_tier old ON old.id = c.old_tier_id
                    WHERE c.tier_id IS DISTINCT FROM c.old_tier_id
                RETURNING partner_id, old_tier_id, new_tier_id, direction""",
                direction=self._move_direction_sql("old", "new"),
                company=company.id,
                today=today,
                uid=self.env.uid,
                table=SQL.identifier(COMPUTED_TABLE),
            )
        )
        self.env["customer.account"].invalidate_model(list(COMPUTED_ACCOUNT_FIELDS))
        self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))
        self.env["customer.tier.history"].invalidate_model()
        self._log_tier_moves(
            company, [(partner, old, new) for partner, old, new, direction in moves if direction != "new"]
        )
        directions = [move[3] for move in moves]
        return {
            "changed": len(updated),
            "up": directions.count("up"),
            "down": directions.count("down"),
            "new": directions.count("new"),
        }

    @api.model
    def _log_tier_moves(self, company, moves):
        """One chatter note per customer whose tier moved (a first classification is no move)."""
        if not moves:
            return
        tiers = self.browse({tier_id for _partner, old, new in moves for tier_id in (old, new)}).with_context(
            active_test=False
        )
        names = dict(zip(tiers.ids, tiers.mapped("name"), strict=True))
        bodies = {
            partner: self.env._(
                "Customer tier for %(company)s: %(old)s → %(new)s",
                company=company.name,
                old=names[old],
                new=names[new],
            )
            for partner, old, new in moves
        }
        self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies)
