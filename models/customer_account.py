from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

# A write of more rows than this makes the planner's statistics of the table stale: it is analysed
# right away rather than at autovacuum's next pass (the accounts written by the tier run and the
# pool refresh, the actions created by the care run).
ANALYZE_AFTER_ROWS = 1000
# Kotler's five relationship levels, from the least to the most involved.
RELATIONSHIP_LEVELS = [
    ("basic", "Basic"),
    ("reactive", "Reactive"),
    ("accountable", "Accountable"),
    ("proactive", "Proactive"),
    ("partnership", "Partnership"),
]

LIFECYCLES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At Risk"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
# See README, "RFM segments", for the mapping from the three scores. The labels use no
# lifecycle word: the segment ranks a customer among the others, the lifecycle reads its own
# ordering rhythm, and the two may disagree (the keys stay as stored).
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("promising", "Promising"),
    ("need_attention", "Needs Attention"),
    ("cannot_lose", "Cannot Lose Them"),
    ("at_risk", "Slipping"),
    ("hibernating", "Hibernating"),
    ("lost", "Lapsed"),
]

# res.partner field -> customer.account field: what a customer is in one company. The partner
# fields read (and search, group, order by) the account of the current company.
ACCOUNT_PARTNER_FIELDS = {
    "customer_tier_id": "tier_id",
    "customer_value": "value",
    "customer_value_rank": "value_rank",
    "customer_value_share": "value_share",
    "customer_margin_rate": "margin_rate",
    "customer_margin_known": "margin_known",
    "first_order_date": "first_order_date",
    "last_order_date": "last_order_date",
    "customer_order_count": "order_count",
    "average_order_interval": "average_order_interval",
    "expected_next_order_date": "expected_next_order_date",
    "customer_lifecycle": "lifecycle",
    "rfm_recency_score": "recency_score",
    "rfm_frequency_score": "frequency_score",
    "rfm_monetary_score": "monetary_score",
    "rfm_segment": "rfm_segment",
    "customer_tier_locked": "tier_locked",
    "customer_tier_lock_reason": "tier_lock_reason",
    "relationship_level": "relationship_level",
    "loss_reason_id": "loss_reason_id",
    "loss_date": "loss_date",
    "loss_note": "loss_note",
    "lost_value": "lost_value",
    "customer_account_user_id": "user_id",
    "customer_probability_alive": "probability_alive",
    "customer_probability_return": "probability_return",
    "customer_expected_orders": "expected_orders",
    "customer_predicted_value": "predicted_value",
    "customer_predicted_margin": "predicted_margin",
    "customer_value_at_risk": "value_at_risk",
    "customer_margin_at_risk": "margin_at_risk",
    "customer_prediction_fitted": "prediction_fitted",
    "lost_margin": "lost_margin",
    "keeping_cost": "keeping_cost",
    # The customer pool (README, "Customer pool")
    "customer_pool_id": "customer_pool_id",
    "pool_entry_date": "pool_entry_date",
    "pool_reclaim_date": "pool_reclaim_date",
    "customer_last_contact_date": "last_contact_date",
    "pool_previous_user_id": "previous_user_id",
}
# Written by the recomputation, never by a person.
COMPUTED_ACCOUNT_FIELDS = (
    "tier_id",
    "value",
    "value_rank",
    "value_share",
    "margin_rate",
    "margin_known",
    "first_order_date",
    "last_order_date",
    "order_count",
    "average_order_interval",
    "expected_next_order_date",
    "lifecycle",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_segment",
    "probability_alive",
    "probability_return",
    "expected_orders",
    "predicted_value",
    "predicted_margin",
    "value_at_risk",
    "margin_at_risk",
    "prediction_fitted",
)
# What people decide on an account, each through the addon's own action (level change, manual
# tier on the form, loss wizard), which checks who may and keeps its record (README, "Access").
DECIDED_ACCOUNT_FIELDS = (
    "relationship_level",
    "tier_locked",
    "tier_lock_reason",
    "loss_reason_id",
    "loss_date",
    "loss_note",
    "lost_value",
    "lost_margin",
    "keeping_cost",
)
ALL_CUSTOMERS_GROUP = "customer_relationship.group_customer_relationship_user_all"


class CustomerAccount(models.Model):
    _name = "customer.account"
    _description = "Customer Account"
    _order = "company_id, value_rank, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index="btree_not_null",
        domain="[('share', '=', False)]",
        help="Who owns this customer in this company. A new account takes the customer's salesperson; "
        "empty: nobody (to be assigned, or in a customer pool).",
    )
    partner_user_id = fields.Many2one(
        related="partner_id.user_id",
        string="Customer's Salesperson",
        help="Odoo's salesperson of the customer: what a new account takes, and what new orders propose.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    # Figures of the recomputation (README, "Design")
    tier_id = fields.Many2one("customer.tier", index=True, ondelete="restrict")
    value = fields.Float(digits="Product Price")
    value_rank = fields.Integer(aggregator=False)
    value_share = fields.Float(string="Cumulative Share (%)", digits=(5, 2), aggregator="max")
    margin_rate = fields.Float(string="Margin (%)", digits=(5, 2), aggregator="avg")
    margin_known = fields.Boolean()
    first_order_date = fields.Date()
    last_order_date = fields.Date()
    order_count = fields.Integer(string="Orders in Window")
    average_order_interval = fields.Float(string="Average Order Interval (days)", digits=(7, 1))
    expected_next_order_date = fields.Date()
    lifecycle = fields.Selection(LIFECYCLES)
    recency_score = fields.Integer(aggregator="avg")
    frequency_score = fields.Integer(aggregator="avg")
    monetary_score = fields.Integer(aggregator="avg")
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment")
    # The repeat-buying model's (models/customer_prediction.py); empty while it is not fitted.
    probability_alive = fields.Float(aggregator="avg")
    probability_return = fields.Float(string="Chance of Ordering Again", aggregator="avg")
    expected_orders = fields.Float(digits=(10, 2))
    predicted_value = fields.Float(digits="Product Price")
    predicted_margin = fields.Float(digits="Product Price")
    value_at_risk = fields.Float(digits="Product Price")
    margin_at_risk = fields.Float(digits="Product Price")
    prediction_fitted = fields.Boolean(string="Predicted by the Model")

    # What people decide
    tier_locked = fields.Boolean(string="Tier Set by Hand")
    tier_lock_reason = fields.Char(string="Reason for the Manual Tier")
    relationship_level = fields.Selection(RELATIONSHIP_LEVELS, default="basic")
    loss_reason_id = fields.Many2one("customer.loss.reason", ondelete="restrict")
    loss_date = fields.Date(string="Lost On")
    loss_note = fields.Text()
    lost_value = fields.Float(string="Estimated Value Lost", digits="Product Price")
    lost_margin = fields.Float(string="Expected Margin Lost", digits="Product Price")
    keeping_cost = fields.Float(string="Cost of Keeping", digits="Product Price")

    # The customer pool (README, "Customer pool"): written by the pool's actions and its cron.
    customer_pool_id = fields.Many2one(
        "customer.pool",
        index="btree_not_null",
        ondelete="restrict",
        readonly=True,
        help="The pool the customer sits in, for a salesperson to claim; empty: owned (or to be assigned).",
    )
    pool_entry_date = fields.Date(string="In Pool Since", readonly=True)
    pool_reclaim_date = fields.Date(
        string="Back to Pool On",
        index="btree_not_null",
        readonly=True,
        help="When the pool rules will reclaim the customer if nobody contacts it (or it orders nothing) before.",
    )
    pool_rule_id = fields.Many2one("customer.pool.rule", ondelete="set null", readonly=True)
    pool_warned_date = fields.Date(
        readonly=True, help="The reclaim date the salesperson was warned about (one warning per date)."
    )
    last_contact_date = fields.Date(readonly=True, help="Last done visit or logged contact in this company.")
    owner_date = fields.Date(string="Salesperson Since", readonly=True)
    previous_user_id = fields.Many2one("res.users", string="Previous Salesperson", readonly=True)
    pool_days = fields.Integer(string="Days in Pool", compute="_compute_pool_days")

    _partner_company_unique = models.UniqueIndex("(partner_id, company_id)", "A customer has one account per company.")
    _company_tier_idx = models.Index("(company_id, tier_id)")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_person_write(vals)
        # A new account belongs to the customer's salesperson until someone decides otherwise.
        partners = self.env["res.partner"].browse(vals["partner_id"] for vals in vals_list if "user_id" not in vals)
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if "user_id" not in vals:
                vals["user_id"] = partners.browse(vals["partner_id"]).user_id.id
            if vals["user_id"]:
                vals.setdefault("owner_date", today)
        accounts = super().create(vals_list)
        self._invalidate_partners()
        return accounts

    def write(self, vals):
        self._check_person_write(vals)
        if "user_id" not in vals:
            result = super().write(vals)
            self._invalidate_partners()
            return result
        # Every change of salesperson leaves a history row (README, "Customer pool"); the pool's
        # actions say why in the context, anything else is a manual edit.
        new_user = self.env["res.users"].browse(vals["user_id"])
        changed = self.filtered(lambda account: account.user_id != new_user)
        old_users = {account.id: account.user_id for account in changed}
        if new_user and changed:
            # An owned customer is out of the pool, and its reclaim delay starts again.
            today = fields.Date.context_today(self)
            vals = {"customer_pool_id": False, "pool_entry_date": False, "owner_date": today, **vals}
        result = super().write(vals)
        self._invalidate_partners()
        if changed:
            changed._log_owner_changes(old_users)
            self.env["customer.pool"]._refresh_dates(changed.company_id, changed)
        return result

    def _check_person_write(self, vals):
        # The figures are the recomputation's, the decisions the addon's actions': they write in
        # sudo once they have checked who may. A direct write (a manager's RPC call) would skip
        # the checks and the history they keep.
        if not self.env.su and set(vals) & {*COMPUTED_ACCOUNT_FIELDS, *DECIDED_ACCOUNT_FIELDS}:
            raise AccessError(
                self.env._(
                    "The figures, relationship level, manual tier and loss of a customer change only through "
                    "the customer relationship actions (recomputation, Change level, the manual tier, Mark as Lost)."
                )
            )

    def _log_owner_changes(self, old_users):
        """One customer.owner.history row per account whose salesperson changed."""
        context = self.env.context
        # The history is a log no user writes by hand; what may change an owner was checked before.
        self.env["customer.owner.history"].sudo().create(
            [
                {
                    "partner_id": account.partner_id.id,
                    "company_id": account.company_id.id,
                    "old_user_id": old_users[account.id].id,
                    "new_user_id": account.user_id.id,
                    "reason": context.get("customer_owner_reason", "manual"),
                    "note": context.get("customer_owner_note"),
                    "pool_id": account.customer_pool_id.id or context.get("customer_owner_pool_id"),
                    "by_user_id": self.env.uid,
                }
                for account in self
            ]
        )

    @api.depends("pool_entry_date")
    @api.depends_context("tz")
    def _compute_pool_days(self):
        today = fields.Date.context_today(self)
        for account in self:
            account.pool_days = (today - account.pool_entry_date).days if account.pool_entry_date else 0

    def _invalidate_partners(self):
        # The partners show the account of the current company. A partner's inverse writing the
        # account keeps its cache: it holds the values written, and the values of the other
        # fields written with it, still to be carried over.
        if not self.env.context.get("customer_account_from_partner"):
            self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))

    @api.model
    def _partner_visible_domain(self):
        """Domain on res.partner: the customers whose account in the current company the user
        may see (README, "Access"). The record rules on customer.account say which accounts (own
        ones, those of the user's pools); a customer without an account there yet is its
        salesperson's, as on the partner (``customer_account_user_id``)."""
        if self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP):
            return Domain.TRUE
        readable = self._search([("company_id", "=", self.env.company.id)])  # the record rules apply
        return Domain("commercial_partner_id", "in", readable.subselect("partner_id")) | Domain(
            "customer_account_user_id", "=", self.env.uid
        )

    def _readable(self):
        """The accounts of ``self`` the user may see, by the same rules (all of them in sudo)."""
        if self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP):
            return self
        # One query with the rules in SQL (_filtered_access would evaluate them on the records).
        return self.browse(self._search([("id", "in", self.ids)]))

    @api.model
    def _for_partners(self, partners, company):
        """The accounts of the commercial partners of ``partners`` in ``company``, created where
        missing, as a dict commercial partner id -> account."""
        commercial = partners.commercial_partner_id
        accounts = self.search([("partner_id", "in", commercial.ids), ("company_id", "=", company.id)])
        found = {account.partner_id.id: account for account in accounts}
        missing = commercial.filtered(lambda p: p.id not in found)
        if missing:
            for account in self.create([{"partner_id": p.id, "company_id": company.id} for p in missing]):
                found[account.partner_id.id] = account
        return found
