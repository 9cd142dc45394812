from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.orm.utils import parse_field_expr
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .customer_account import (
    ACCOUNT_PARTNER_FIELDS,
    ALL_CUSTOMERS_GROUP,
    LIFECYCLES,
    RELATIONSHIP_LEVELS,
    RFM_SEGMENTS,
)

LEVEL_KEYS = [level for level, _label in RELATIONSHIP_LEVELS]
RELATIONSHIP_GAPS = [("below", "Below Target"), ("at", "At Target"), ("above", "Above Target")]
CONTACT_ROLES = [
    ("decision_maker", "Decision Maker"),
    ("buyer", "Buyer"),
    ("finance", "Finance"),
    ("user", "User"),
    ("influencer", "Influencer"),
    ("gatekeeper", "Gatekeeper"),
    ("other", "Other"),
]
CONTACT_CHANNELS = [
    ("visit", "Visit"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("wechat", "WeChat"),
]
MANUAL_TIER_FIELDS = ("customer_tier_id", "customer_tier_locked", "customer_tier_lock_reason")
# Selections that are ladders: grouped in their own order, not alphabetically by key.
LADDER_FIELDS = ("customer_lifecycle", "rfm_segment", "relationship_level")


def _account_search(fname):
    """The search method of a partner field read from the customer's account."""

    def search(partners, operator, value):
        return partners._search_customer_account(fname, operator, value)

    search.__name__ = f"_search_{fname}"
    return search


def _account_inverse(fname):
    """The inverse method of a partner field written on the customer's account: that field only."""

    def inverse(partners):
        partners._inverse_customer_account(fname)

    inverse.__name__ = f"_inverse_{fname}"
    return inverse


class ResPartner(models.Model):
    _inherit = "res.partner"

    # What a customer is in the current company: its customer.account there (README, "Design"),
    # read by the commercial partner and its contacts alike; searched, grouped and ordered on
    # through one join on the account table (see _field_to_sql). Read-only in forms: only a
    # manager's locked tier is set by hand (see the form view).
    customer_account_ids = fields.One2many("customer.account", "partner_id", string="Accounts")
    customer_account_user_id = fields.Many2one(
        "res.users",
        string="Salesperson in this Company",
        compute="_compute_customer_account",
        search=_account_search("customer_account_user_id"),
        inverse=_account_inverse("customer_account_user_id"),
        help="Who sells to this customer in the current company; the customer's salesperson by default.",
    )
    customer_account_visible = fields.Boolean(
        string="May See the Account",
        compute="_compute_customer_account",
        search="_search_customer_account_visible",
        help='The user may see what the customer is in the current company (README, "Access"): a '
        "salesperson of own customers sees their own accounts and those of their customer pools.",
    )
    customer_tier_id = fields.Many2one(
        "customer.tier",
        compute="_compute_customer_account",
        search=_account_search("customer_tier_id"),
        inverse=_account_inverse("customer_tier_id"),
        readonly=True,
    )
    # Read as the user reads the tier (an account they may not see has none), not in sudo: the
    # account's compute would run a second time, for the sudo environment.
    customer_tier_color = fields.Integer(related="customer_tier_id.color", string="Tier Color", compute_sudo=False)
    customer_tier_locked = fields.Boolean(
        string="Tier Set by Hand",
        compute="_compute_customer_account",
        search=_account_search("customer_tier_locked"),
        inverse=_account_inverse("customer_tier_locked"),
        help="The automatic classification leaves a locked tier alone.",
    )
    customer_tier_lock_reason = fields.Char(
        string="Reason for the Manual Tier",
        compute="_compute_customer_account",
        search=_account_search("customer_tier_lock_reason"),
        inverse=_account_inverse("customer_tier_lock_reason"),
    )
    customer_tier_history_ids = fields.One2many("customer.tier.history", "partner_id", string="Tier History")
    customer_value = fields.Float(
        compute="_compute_customer_account",
        search=_account_search("customer_value"),
        readonly=True,
        digits="Product Price",
        help="Revenue of the customer over the value window, in company currency.",
    )
    customer_value_currency_id = fields.Many2one(
        "res.currency", compute="_compute_customer_value_currency_id", string="Value Currency"
    )
    customer_value_rank = fields.Integer(
        string="Value Rank",
        compute="_compute_customer_account",
        search=_account_search("customer_value_rank"),
        readonly=True,
        aggregator=False,
    )
    customer_value_share = fields.Float(
        string="Cumulative Share (%)",
        compute="_compute_customer_account",
        search=_account_search("customer_value_share"),
        readonly=True,
        digits=(5, 2),
        aggregator="max",
        help="Share of the company's customer value reached by all customers down to this one.",
    )

    # Purchase behaviour (RFM) and lifecycle
    first_order_date = fields.Date(
        compute="_compute_customer_account", search=_account_search("first_order_date"), readonly=True
    )
    last_order_date = fields.Date(
        compute="_compute_customer_account", search=_account_search("last_order_date"), readonly=True
    )
    customer_order_count = fields.Integer(
        string="Orders in Window",
        compute="_compute_customer_account",
        search=_account_search("customer_order_count"),
        readonly=True,
    )
    average_order_interval = fields.Float(
        string="Average Order Interval (days)",
        compute="_compute_customer_account",
        search=_account_search("average_order_interval"),
        readonly=True,
        digits=(7, 1),
    )
    expected_next_order_date = fields.Date(
        compute="_compute_customer_account", search=_account_search("expected_next_order_date"), readonly=True
    )
    customer_lifecycle = fields.Selection(
        LIFECYCLES,
        string="Lifecycle",
        compute="_compute_customer_account",
        search=_account_search("customer_lifecycle"),
        readonly=True,
    )
    rfm_recency_score = fields.Integer(
        string="Recency Score",
        compute="_compute_customer_account",
        search=_account_search("rfm_recency_score"),
        readonly=True,
        aggregator="avg",
    )
    rfm_frequency_score = fields.Integer(
        string="Frequency Score",
        compute="_compute_customer_account",
        search=_account_search("rfm_frequency_score"),
        readonly=True,
        aggregator="avg",
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary Score",
        compute="_compute_customer_account",
        search=_account_search("rfm_monetary_score"),
        readonly=True,
        aggregator="avg",
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="RFM Segment",
        compute="_compute_customer_account",
        search=_account_search("rfm_segment"),
        readonly=True,
        help="How the customer's recency, frequency and value rank among the company's customers. "
        "The lifecycle reads the customer's own ordering rhythm instead, so the two may differ: "
        "the lifecycle is the status shown on the customer's card.",
    )

    # Relationship level (Kotler): a person's decision, tracked; the target comes from the tier.
    relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS,
        tracking=True,
        help="Basic: sells and has no further contact.\n"
        "Reactive: sells and invites the customer to call with problems.\n"
        "Accountable: calls soon after the sale to check the product met expectations.\n"
        "Proactive: calls regularly with suggestions and news of useful products.\n"
        "Partnership: works continuously with the customer to cut its costs and help it buy better.",
        compute="_compute_customer_account",
        search=_account_search("relationship_level"),
        inverse=_account_inverse("relationship_level"),
    )
    customer_margin_rate = fields.Float(
        string="Margin (%)",
        compute="_compute_customer_account",
        search=_account_search("customer_margin_rate"),
        readonly=True,
        digits=(5, 2),
        aggregator="avg",
        help="Margin of the customer's confirmed order lines that carry a cost, over the value window, as a "
        "share of their value. Empty when no such line has a cost: the margin is then unknown.",
    )
    customer_margin_known = fields.Boolean(
        string="Margin Known",
        compute="_compute_customer_account",
        search=_account_search("customer_margin_known"),
        readonly=True,
        help="Some confirmed order line of the customer over the value window carries a cost.",
    )
    target_relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS,
        compute="_compute_target_relationship_level",
        search="_search_target_relationship_level",
        help="The target level of the customer's tier; with the margin adjustment of the settings, one "
        "level up for a high-margin customer and one down for a low-margin one (Kotler's matrix). A "
        "customer whose margin is unknown (no cost on its order lines) keeps the tier's target.",
    )
    relationship_gap = fields.Selection(
        RELATIONSHIP_GAPS,
        compute="_compute_relationship_gap",
        search="_search_relationship_gap",
        help="Where the relationship stands against the target of the customer's tier.",
    )

    # Visits: recorded on the commercial partner, shown on its contacts too; dates per company.
    visit_ids = fields.One2many("customer.visit", "partner_id", string="Visits")
    # The visit and referral figures of the form come from one query (_compute_visit_dates).
    visit_count = fields.Integer(compute="_compute_visit_dates", string="Number of Visits")
    last_visit_date = fields.Date(compute="_compute_visit_dates", help="Last done visit or logged contact.")
    next_visit_date = fields.Date(compute="_compute_visit_dates", help="Next planned visit.")
    days_since_last_contact = fields.Integer(compute="_compute_visit_dates")
    visit_due_date = fields.Date(
        compute="_compute_visit_dates", help="Last contact plus the contact interval of the customer's tier."
    )
    # "Due for contact", not "visit overdue": overdue visits are planned visits past their time.
    visit_overdue = fields.Boolean(
        string="Due for Contact",
        compute="_compute_visit_dates",
        search="_search_visit_overdue",
        help="Not contacted within the contact interval of its tier (or never contacted).",
    )

    # Care: the personal facts care rules greet, and how the customer wants to be reached.
    birthday = fields.Date(help="Of a contact person: care rules greet on it.")
    birthday_lunar = fields.Boolean(
        string="Lunar Birthday",
        help="The contact keeps the birthday by the lunar calendar (农历生日): care rules greet on the day of "
        "the same lunar month and day each year (the birth date above stays the solar date of birth).",
    )
    founding_date = fields.Date(
        help="Of a company: care rules celebrate its anniversary (the first order date when empty)."
    )
    interest_tag_ids = fields.Many2many("customer.interest.tag", string="Interests and Hobbies")
    preferred_contact_channel = fields.Selection(CONTACT_CHANNELS)
    care_opt_out = fields.Boolean(
        string="No Automatic Messages",
        help="Care rules send this contact (or, on a company, any of its contacts) no e-mail or SMS; "
        "activities are still scheduled for the salesperson.",
    )
    care_action_ids = fields.One2many("customer.care.action", "partner_id", string="Care Actions")
    contact_role = fields.Selection(CONTACT_ROLES, help="The person's part in the customer's buying decisions.")

    # Referrals: who brought the customer in; counted on the referrer.
    referred_by_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        domain="[('parent_id', '=', False), ('id', '!=', id)]",
        help="The customer who recommended this one.",
    )
    referral_date = fields.Date(
        string="Referred On", help="When the referral was made; care rules thank the referrer from this date."
    )
    referral_ids = fields.One2many("res.partner", "referred_by_id", string="Referred Customers")
    referral_count = fields.Integer(compute="_compute_visit_dates", string="Referrals")
    referral_value = fields.Float(
        compute="_compute_visit_dates",
        string="Value of Referred Customers",
        digits="Product Price",
        help="Customer value of the customers it referred, in the current company.",
    )

    # Loss: a manager's record of why a customer was lost, per company.
    loss_reason_id = fields.Many2one(
        "customer.loss.reason",
        compute="_compute_customer_account",
        search=_account_search("loss_reason_id"),
        inverse=_account_inverse("loss_reason_id"),
        readonly=True,
    )
    loss_date = fields.Date(
        string="Lost On",
        compute="_compute_customer_account",
        search=_account_search("loss_date"),
        inverse=_account_inverse("loss_date"),
        readonly=True,
    )
    loss_note = fields.Text(
        compute="_compute_customer_account",
        search=_account_search("loss_note"),
        inverse=_account_inverse("loss_note"),
        readonly=True,
    )
    lost_value = fields.Float(
        string="Estimated Value Lost",
        compute="_compute_customer_account",
        search=_account_search("lost_value"),
        inverse=_account_inverse("lost_value"),
        readonly=True,
        digits="Product Price",
        help="What the customer bought over the value window before its last order, in company currency.",
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company", "uid")
    def _compute_customer_account(self):
        # The figures of an account the user may not see (another salesperson's customer, for a
        # salesperson of own customers) read as empty; in sudo (a related field, a sale order's
        # tier badge, the scheduled actions) all are read.
        accounts = (
            self.env["customer.account"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id", *ACCOUNT_PARTNER_FIELDS.values()],
            )
        )
        visible = accounts.sudo(self.env.su)._readable()
        see_all = self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP)
        by_partner = {account.partner_id.id: account for account in accounts}
        empty = self.env["customer.account"]
        for partner in self:
            account = by_partner.get(partner.commercial_partner_id.id, empty)
            hidden = account and account not in visible
            for fname, account_fname in ACCOUNT_PARTNER_FIELDS.items():
                partner[fname] = False if hidden else account[account_fname]
            partner.customer_account_visible = not hidden
            # No account yet in this company (never classified there): the one it will get
            # takes the customer's salesperson.
            if not account:
                partner.relationship_level = "basic"
                partner.customer_account_user_id = partner.commercial_partner_id.user_id
                partner.customer_account_visible = see_all or partner.customer_account_user_id == self.env.user

    def _search_customer_account_visible(self, operator, value):
        if operator != "in":
            return NotImplemented
        visible = self.env["customer.account"]._partner_visible_domain()
        return visible if True in value else ~visible

    def _inverse_customer_account(self, fname):
        # The partner's write access was checked by the ORM; the account of its commercial
        # partner follows what may be written on the partner.
        account_model = self.env["customer.account"].sudo().with_context(customer_account_from_partner=True)
        accounts = account_model._for_partners(self, self.env.company)
        account_fname = ACCOUNT_PARTNER_FIELDS[fname]
        # All the new values first: writing an account invalidates the partners' cache.
        by_value = defaultdict(lambda: account_model)
        for partner in self:
            by_value[self._fields[fname].convert_to_write(partner[fname], partner)] |= accounts[
                partner.commercial_partner_id.id
            ]
        for value, group in by_value.items():
            changed = group.filtered(
                lambda a, value=value: a._fields[account_fname].convert_to_write(a[account_fname], a) != value
            )
            if changed:
                changed.write({account_fname: value})

    def _search_customer_account(self, fname, operator, value):
        """``fname`` compared on the account of the current company, through the join of
        _customer_account_alias; a customer without an account compares as a new account."""
        account_model = self.env["customer.account"].sudo()  # the figures are public: see the compute
        account_model.flush_model([ACCOUNT_PARTNER_FIELDS[fname]])  # SQL below reads the table
        condition = Domain(ACCOUNT_PARTNER_FIELDS[fname], operator, value).optimize_full(account_model)
        matches_missing = bool(account_model.new({}).filtered_domain(condition))
        presence = "%s IS NULL OR" if matches_missing else "%s IS NOT NULL AND"
        if fname == "customer_account_user_id":
            # A customer without an account in the company counts as the customer's salesperson's
            # (see the compute); an account without a salesperson belongs to nobody.
            presence = "%s IS NOT NULL AND"
            follows = Domain.custom(
                to_sql=lambda model, alias, query: SQL(
                    "%s IS NULL", SQL.identifier(model._customer_account_alias(alias, query, hidden=True), "id")
                )
            )
            follows &= Domain("commercial_partner_id.user_id", operator, value)

        def to_sql(model, alias, query):
            account_alias = model._customer_account_alias(alias, query, hidden=fname == "customer_account_user_id")
            sql = condition._to_sql(account_model, account_alias, query)
            return SQL("(%s %s)", SQL(presence, SQL.identifier(account_alias, "id")), sql)

        if fname == "customer_account_user_id":
            return Domain.custom(to_sql=to_sql) | follows
        return Domain.custom(to_sql=to_sql)

    def _customer_account_alias(self, alias, query, hidden=False):
        """LEFT JOIN the account of the current company onto ``alias`` (once per query). For a
        user who may not see every account, the accounts they may not see are left out, as the
        compute leaves them out (README, "Access"): searching, grouping or summing a figure
        through RPC shows nothing of them either. ``hidden``: join them all the same (whose
        customer it is, which the salesperson filters compare on)."""
        restricted = not (hidden or self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP))
        account_alias = query.make_alias(alias, "customer_account_seen" if restricted else "customer_account")
        condition = SQL(
            "%s = %s AND %s = %s",
            SQL.identifier(account_alias, "partner_id"),
            SQL.identifier(alias, "commercial_partner_id"),
            SQL.identifier(account_alias, "company_id"),
            self.env.company.id,
        )
        if restricted:
            readable = self.env["customer.account"]._search([("company_id", "=", self.env.company.id)])
            condition = SQL("%s AND %s IN %s", condition, SQL.identifier(account_alias, "id"), readable.subselect())
        query.add_join("LEFT JOIN", account_alias, "customer_account", condition)
        return account_alias

    def _field_to_sql(self, alias, field_expr, query=None):
        # Grouping, ordering and aggregating on an account figure read the account table through
        # one join: not a correlated sub-select per row (README, "Design").
        fname, property_name = parse_field_expr(field_expr)
        if fname in ACCOUNT_PARTNER_FIELDS and query is not None:
            self._check_field_access(self._fields[fname], "read")
            self.env["customer.account"].flush_model([ACCOUNT_PARTNER_FIELDS[fname]])
            account_alias = self._customer_account_alias(alias, query, hidden=fname == "customer_account_user_id")
            account_expr = ACCOUNT_PARTNER_FIELDS[fname] + (f".{property_name}" if property_name else "")
            sql = self.env["customer.account"]._field_to_sql(account_alias, account_expr, query)
            if fname == "relationship_level":
                sql = SQL("COALESCE(%s, 'basic')", sql)
            elif fname == "customer_account_user_id":
                # without an account in the company, the customer's salesperson (see the compute)
                commercial_alias = query.make_alias(alias, "customer_account_commercial")
                query.add_join(
                    "LEFT JOIN",
                    commercial_alias,
                    "res_partner",
                    SQL(
                        "%s = %s",
                        SQL.identifier(commercial_alias, "id"),
                        SQL.identifier(alias, "commercial_partner_id"),
                    ),
                )
                sql = SQL(
                    "CASE WHEN %s IS NULL THEN %s ELSE %s END",
                    SQL.identifier(account_alias, "id"),
                    SQL.identifier(commercial_alias, "user_id"),
                    sql,
                )
            return sql
        return super()._field_to_sql(alias, field_expr, query)

    @api.depends_context("company")
    def _compute_customer_value_currency_id(self):
        self.customer_value_currency_id = self.env.company.currency_id

    @api.depends("contact_role")
    @api.depends_context("show_contact_role")
    def _compute_display_name(self):
        super()._compute_display_name()
        if not self.env.context.get("show_contact_role"):
            return
        # The people met on a visit: who decides, who buys, who pays.
        roles = dict(self._fields["contact_role"]._description_selection(self.env))
        for partner in self.filtered("contact_role"):
            partner.display_name = f"{partner.display_name} ({roles[partner.contact_role]})"

    @api.depends(
        "customer_tier_id.target_relationship_level", "customer_margin_rate", "customer_margin_known", "customer_value"
    )
    @api.depends_context("company")
    def _compute_target_relationship_level(self):
        bands = self._margin_bands()
        for partner in self:
            tier_target = partner.customer_tier_id.target_relationship_level
            shift = next((shift for shift, band in bands.items() if partner.filtered_domain(band)), 0)
            partner.target_relationship_level = tier_target and self._shift_level(tier_target, shift)

    def _search_target_relationship_level(self, operator, value):
        if operator != "in":
            return NotImplemented
        return Domain.OR(
            Domain("customer_tier_id.target_relationship_level", "=", tier_target) & band
            for shift, band in self._margin_bands().items()
            for tier_target in LEVEL_KEYS
            if self._shift_level(tier_target, shift) in value
        )

    @api.model
    def _margin_bands(self):
        """Domains of the customers whose target moves up (1), stays (0) or moves down (-1) with
        their margin, in the current company; all stay when the adjustment is off."""
        company = self.env.company
        if not company.relationship_margin_adjust:
            return {0: Domain.TRUE}
        # an unknown margin (no cost recorded) moves nothing
        with_value = Domain("customer_value", ">", 0) & Domain("customer_margin_known", "=", True)
        high = with_value & Domain("customer_margin_rate", ">=", company.relationship_margin_high)
        low = with_value & Domain("customer_margin_rate", "<", company.relationship_margin_low)
        return {1: high, -1: low, 0: ~high & ~low}

    @api.model
    def _shift_level(self, level, shift):
        return LEVEL_KEYS[min(max(LEVEL_KEYS.index(level) + shift, 0), len(LEVEL_KEYS) - 1)]

    @api.depends("relationship_level", "target_relationship_level")
    @api.depends_context("company")
    def _compute_relationship_gap(self):
        for partner in self:
            partner.relationship_gap = partner.target_relationship_level and self._relationship_gap(
                partner.relationship_level, partner.target_relationship_level
            )

    def _search_relationship_gap(self, operator, value):
        if operator != "in":
            return NotImplemented
        return Domain.OR(
            Domain("target_relationship_level", "=", target)
            & Domain(
                "relationship_level",
                "in",
                [level for level in LEVEL_KEYS if self._relationship_gap(level, target) == gap],
            )
            for target in LEVEL_KEYS
            for gap in value
        )

    @api.model
    def _relationship_gap(self, level, target):
        position, target_position = LEVEL_KEYS.index(level or "basic"), LEVEL_KEYS.index(target)
        return "below" if position < target_position else "at" if position == target_position else "above"

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

    def _check_account_fields(self, fnames):
        """The account fields shown on the partner (level, loss, salesperson in the company) change
        through the addon's actions, which write them in sudo after checking who may (README,
        "Access"): written directly, through RPC or an import, they would skip both."""
        direct = set(fnames) & set(ACCOUNT_PARTNER_FIELDS) - set(MANUAL_TIER_FIELDS)
        if direct and not self.env.su:
            names = ", ".join(self._fields[fname]._description_string(self.env) for fname in sorted(direct))
            raise AccessError(
                self.env._(
                    "%(fields)s of a customer change only through the customer relationship actions "
                    "(Change level, Mark as Lost, Hand Over), not by writing the customer.",
                    fields=names,
                )
            )

    def write(self, vals):
        self._check_account_fields(vals)
        if vals.get("referred_by_id") and "referral_date" not in vals:
            vals = {**vals, "referral_date": fields.Date.context_today(self)}
        if set(MANUAL_TIER_FIELDS) & set(vals):
            return self._write_manual_tier(vals)
        follow_salesperson = "user_id" in vals and not self.env.context.get("customer_account_keep_owner")
        old_users = {partner.id: partner.user_id for partner in self if follow_salesperson}
        result = super().write(vals)
        if set(vals) & set(ACCOUNT_PARTNER_FIELDS):
            # The inverses kept this environment's cache while writing the accounts; the partners'
            # figures as other users (their own cache) read them again.
            self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))
        if follow_salesperson:
            self._move_accounts_with_salesperson(old_users)
        if "active" in vals and not vals["active"]:
            self.env["customer.care.action"]._resolve_for("archived", self)  # README, "Care rules"
        return result

    def _move_accounts_with_salesperson(self, old_users):
        """The customer's salesperson changed in Odoo: its accounts held by the former one follow
        (an account another salesperson holds, or nobody, stays as it is)."""
        # The partner's write access was checked by the ORM; its accounts follow what may be
        # written on it, as the partner fields' inverse does.
        accounts = self.env["customer.account"].sudo().search([("partner_id", "in", list(old_users))])
        for partner, group in accounts.grouped("partner_id").items():
            moving = group.filtered(lambda account, partner=partner: account.user_id == old_users[partner.id])
            if moving and partner.user_id != old_users[partner.id]:
                moving.write({"user_id": partner.user_id.id})

    def _write_manual_tier(self, vals):
        """A person sets a tier: managers only, with a reason, logged like a computed move."""
        # A contact stands for its company: its tier is the account of its commercial partner.
        commercial = self.commercial_partner_id
        if not self.env.su and not self.env.user.has_group("customer_relationship.group_customer_relationship_manager"):
            raise AccessError(self.env._("Only customer relationship managers can set a customer's tier by hand."))
        old_tiers = {partner: partner.customer_tier_id for partner in commercial}
        result = super().write(vals)
        for partner in commercial:
            if partner.customer_tier_locked and not partner.customer_tier_lock_reason:
                raise ValidationError(
                    self.env._("Give the reason why the tier of %(name)s is set by hand.", name=partner.name)
                )
        moved = commercial.filtered(lambda p: p.customer_tier_id and p.customer_tier_id != old_tiers[p])
        if moved:
            # The history is a system log no user creates by hand; the manager's right to set the
            # tier was checked above.
            self.env["customer.tier.history"].sudo().create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": self.env.company.id,
                        "old_tier_id": old_tiers[partner].id,
                        "new_tier_id": partner.customer_tier_id.id,
                        "direction": self._tier_direction(old_tiers[partner], partner.customer_tier_id),
                        "value": partner.customer_value,
                        "value_rank": partner.customer_value_rank,
                        "value_share": partner.customer_value_share,
                        "manual": True,
                        "reason": partner.customer_tier_lock_reason,
                    }
                    for partner in moved
                ]
            )
            for partner in moved.filtered(lambda p: old_tiers[p]):
                partner.message_post(
                    body=self.env._(
                        "Customer tier for %(company)s set by hand: %(old)s → %(new)s (%(reason)s)",
                        company=self.env.company.name,
                        old=old_tiers[partner].name,
                        new=partner.customer_tier_id.name,
                        reason=partner.customer_tier_lock_reason or "",
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return result

    @api.model
    def _tier_direction(self, old_tier, new_tier):
        if not old_tier:
            return "new"
        return "up" if (new_tier.sequence, new_tier.id) < (old_tier.sequence, old_tier.id) else "down"

    @api.constrains("referred_by_id")
    def _check_referral_loop(self):
        if self._has_cycle("referred_by_id"):
            raise ValidationError(self.env._("A customer cannot be referred, even indirectly, by itself."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_account_fields(vals)
            if vals.get("referred_by_id") and not vals.get("referral_date"):
                vals["referral_date"] = fields.Date.context_today(self)
        return super().create(vals_list)

    @api.depends(
        "commercial_partner_id.visit_ids.state",
        "commercial_partner_id.visit_ids.done_date",
        "commercial_partner_id.visit_ids.planned_start",
        "customer_tier_id.visit_interval_days",
        "commercial_partner_id.loss_date",
        "referral_ids",
    )
    @api.depends_context("company")
    def _compute_visit_dates(self):
        """The visits (count, last and next contact, due date) and referrals (count, value) of the
        customers, in one query: the form shows them all."""
        company = self.env.company.id
        # Counted as their lists show them: the visits and referred customers the user may read.
        visible_visits = self.env["customer.visit"]._search([("partner_id", "in", self.commercial_partner_id.ids)])
        referrals = self.with_context(active_test=False)._search([("referred_by_id", "in", self.ids)])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id, visits.count, visits.last_done, visits.next_planned, referred.count, referred.value
                     FROM unnest(%(ids)s::int[]) AS p(id)
                LEFT JOIN LATERAL (
                          -- the last and next contacts are the company's, whoever made them
                          SELECT COUNT(*) FILTER (WHERE v.id IN (%(visible)s)) AS count,
                                 MAX(v.done_date) FILTER (WHERE v.state = 'done' AND v.company_id = %(company)s)
                                     AS last_done,
                                 MIN(v.planned_start) FILTER (WHERE v.state = 'planned' AND v.company_id = %(company)s)
                                     AS next_planned
                            FROM customer_visit v WHERE v.partner_id = p.id) visits ON TRUE
                LEFT JOIN LATERAL (
                          SELECT COUNT(*) AS count, SUM(account.value) AS value
                            FROM res_partner referral
                       LEFT JOIN customer_account account ON account.partner_id = referral.commercial_partner_id
                                 AND account.company_id = %(company)s
                           WHERE referral.referred_by_id = p.id AND referral.id IN (%(referrals)s)) referred ON TRUE""",
                ids=list({*self.commercial_partner_id.ids, *self.ids}),
                visible=visible_visits.subselect(),
                referrals=referrals.subselect(),
                company=company,
            )
        )
        by_id = {row[0]: row[1:] for row in rows}
        today = fields.Date.context_today(self)
        for partner in self:
            commercial = partner.commercial_partner_id
            count, last_done, next_planned, _count, _value = by_id.get(commercial.id, (0, None, None, 0, 0))
            partner.visit_count = count
            _visits, _last, _next, referral_count, referral_value = by_id.get(partner.id, (0, None, None, 0, 0))
            partner.referral_count = referral_count
            partner.referral_value = referral_value or 0.0
            last = last_done and fields.Datetime.context_timestamp(self, last_done).date()
            interval = partner.customer_tier_id.visit_interval_days
            partner.last_visit_date = last
            partner.next_visit_date = next_planned and fields.Datetime.context_timestamp(self, next_planned).date()
            partner.days_since_last_contact = (today - last).days if last else 0
            partner.visit_due_date = last and interval and last + timedelta(days=interval)
            # A customer marked as lost is no longer due for contact.
            overdue = bool(interval) and (not last or partner.visit_due_date < today)
            partner.visit_overdue = overdue and not commercial.loss_date

    def _search_visit_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        overdue = Domain.FALSE
        visits = self.env["customer.visit"]
        # Tiers are a handful of records.
        for tier in self.env["customer.tier"].search([]):  # pylint: disable=no-search-all
            # Sees every visit of the company, as the compute does: a colleague's visit is a contact too.
            recent = visits.sudo()._search(
                [
                    ("state", "=", "done"),
                    ("company_id", "=", self.env.company.id),
                    ("done_date", ">=", visits._to_utc(today - timedelta(days=tier.visit_interval_days))),
                ]
            )
            overdue |= Domain("customer_tier_id", "=", tier.id) & Domain(
                "commercial_partner_id", "not in", recent.subselect("partner_id")
            )
        overdue &= Domain("commercial_partner_id.loss_date", "=", False)
        return overdue if True in value else ~overdue

    @api.ondelete(at_uninstall=False)
    def _unlink_except_visited(self):
        # Visits the user may not see still forbid the deletion: they would be lost with the customer.
        visited = self.env["customer.visit"].sudo().search([("partner_id", "in", self.ids)]).partner_id
        if visited:
            raise UserError(
                self.env._(
                    "%(customers)s cannot be deleted: visits are recorded on it. Archive it instead.",
                    customers=", ".join(visited.mapped("display_name")),
                )
            )

    @api.model
    def action_open_customers(self):
        """The Customers menu. A salesperson who sees only their own customers opens on them, under
        a "My Customers" facet they can remove; those who see every customer open on all of them."""
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.res_partner_customer_action")
        if not self.env.user.has_group("customer_relationship.group_customer_relationship_user_all"):
            context = safe_eval(action.get("context") or "{}", {"uid": self.env.uid})
            action["context"] = {**context, "search_default_my_customers": 1}
        return action

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_log_visit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_log_action")
        action["context"] = {"default_partner_id": self.id}
        return action
