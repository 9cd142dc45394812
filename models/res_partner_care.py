from odoo import api, fields, models

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


class ResPartner(models.Model):
    """Care: the personal facts care rules greet, how the customer wants to be reached, and the
    person's part in the customer's buying decisions (README, "Care rules")."""

    _inherit = "res.partner"

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
    care_action_count = fields.Integer(compute="_compute_record_counts", string="Care Actions Count")
    contact_role = fields.Selection(CONTACT_ROLES, help="The person's part in the customer's buying decisions.")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

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

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals and not vals["active"]:
            self.env["customer.care.action"]._resolve_for("archived", self)  # README, "Care rules"
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_care_actions(self):
        return self._action_customer_list(
            "customer_relationship.customer_care_action_action", self.env._("Care Actions")
        )
