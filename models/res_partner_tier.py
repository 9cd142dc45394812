from odoo import api, fields, models
from odoo.tools import SQL

from .customer_account import LIFECYCLES, RFM_SEGMENTS
from .res_partner import account_field

# Selections that are ladders: grouped in their own order, not alphabetically by key.
LADDER_FIELDS = ("customer_lifecycle", "rfm_segment", "relationship_level")


class ResPartner(models.Model):
    """The figures of the tier recomputation (models/customer_tier.py) on the customer's account in
    the current company: value tier, value, purchases, lifecycle, RFM and margin. Read-only: a
    manager sets a tier by hand with the Set Tier wizard (wizards/customer_tier_set.py)."""

    _inherit = "res.partner"

    # Value tier
    # Written in sudo only (test fixtures, imports of figures): a person sets a tier with the wizard.
    customer_tier_id = account_field(fields.Many2one, "customer_tier_id", "customer.tier", writable=True, readonly=True)
    # Read as the user reads the tier (an account they may not see has none), not in sudo: the
    # account's compute would run a second time, for the sudo environment.
    customer_tier_color = fields.Integer(related="customer_tier_id.color", string="Tier Color", compute_sudo=False)
    customer_tier_locked = account_field(
        fields.Boolean,
        "customer_tier_locked",
        string="Tier Set by Hand",
        help="The automatic classification leaves a locked tier alone.",
    )
    customer_tier_lock_reason = account_field(
        fields.Char, "customer_tier_lock_reason", string="Reason for the Manual Tier"
    )
    customer_tier_history_ids = fields.One2many("customer.tier.history", "partner_id", string="Tier History")
    customer_tier_history_count = fields.Integer(compute="_compute_record_counts", string="Tier Changes")
    customer_value = account_field(
        fields.Float,
        "customer_value",
        digits="Product Price",
        help="Revenue of the customer over the value window, in company currency.",
    )
    customer_value_currency_id = fields.Many2one(
        "res.currency", compute="_compute_customer_value_currency_id", string="Value Currency"
    )
    customer_value_rank = account_field(fields.Integer, "customer_value_rank", string="Value Rank", aggregator=False)
    customer_value_share = account_field(
        fields.Float,
        "customer_value_share",
        string="Cumulative Share (%)",
        digits=(5, 2),
        aggregator="max",
        help="Share of the company's customer value reached by all customers down to this one.",
    )

    # Purchase behaviour (RFM) and lifecycle
    first_order_date = account_field(fields.Date, "first_order_date")
    last_order_date = account_field(fields.Date, "last_order_date")
    customer_order_count = account_field(fields.Integer, "customer_order_count", string="Orders in Window")
    average_order_interval = account_field(
        fields.Float, "average_order_interval", string="Average Order Interval (days)", digits=(7, 1)
    )
    expected_next_order_date = account_field(fields.Date, "expected_next_order_date")
    customer_lifecycle = account_field(fields.Selection, "customer_lifecycle", LIFECYCLES, string="Lifecycle")
    rfm_recency_score = account_field(fields.Integer, "rfm_recency_score", string="Recency Score", aggregator="avg")
    rfm_frequency_score = account_field(
        fields.Integer, "rfm_frequency_score", string="Frequency Score", aggregator="avg"
    )
    rfm_monetary_score = account_field(fields.Integer, "rfm_monetary_score", string="Monetary Score", aggregator="avg")
    rfm_segment = account_field(
        fields.Selection,
        "rfm_segment",
        RFM_SEGMENTS,
        string="RFM Segment",
        help="How the customer's recency, frequency and value rank among the company's customers. "
        "The lifecycle reads the customer's own ordering rhythm instead, so the two may differ: "
        "the lifecycle is the status shown on the customer's card.",
    )

    # Margin
    customer_margin_rate = account_field(
        fields.Float,
        "customer_margin_rate",
        string="Margin (%)",
        digits=(5, 2),
        aggregator="avg",
        help="Margin of the customer's confirmed order lines that carry a cost, over the value window, as a "
        "share of their value. Empty when no such line has a cost: the margin is then unknown.",
    )
    customer_margin_known = account_field(
        fields.Boolean,
        "customer_margin_known",
        string="Margin Known",
        help="Some confirmed order line of the customer over the value window carries a cost.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends_context("company")
    def _compute_customer_value_currency_id(self):
        self.customer_value_currency_id = self.env.company.currency_id

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------

    def _read_group_orderby(self, order, groupby_terms, query):
        # The ORM orders a selection's groups by their stored key (Accountable, Basic, Proactive):
        # order a ladder's groups by the position of the key in the selection instead, for
        # pivots, graphs, grouped lists and kanban columns alike. Tiers need nothing here: the ORM
        # orders a many2one's groups by its comodel's order (the tier's sequence).
        ladders = {spec: groupby_terms[spec] for spec in LADDER_FIELDS if spec in groupby_terms}
        for spec, term in ladders.items():
            keys = self._fields[spec].get_values(self.env)
            # The term must stay intact, uncast, in the expression: with GROUPING SETS (a pivot's
            # rows and columns in one query) PostgreSQL only sees NULL in the rows of the sets
            # without this field if it recognises the grouped expression; a cast (`::text` over
            # the company-dependent `::VARCHAR`) hides it, and the other sets' rows, the tiers
            # included, came out in the order of some customer's lifecycle.
            groupby_terms[spec] = SQL("array_position(%s::varchar[], %s)", keys, term)
        try:
            return super()._read_group_orderby(order, groupby_terms, query)
        finally:
            # The terms also build the GROUP BY and SELECT clauses: give them back as they were.
            groupby_terms.update(ladders)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_tier_history(self):
        return self._action_customer_list(
            "customer_relationship.customer_tier_history_action", self.env._("Tier Changes")
        )
