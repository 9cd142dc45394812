from odoo import api, fields, models
from odoo.tools import SQL

# The preview shows a sample; its count covers every customer.
PREVIEW_LINE_LIMIT = 500


class CustomerCareRulePreview(models.TransientModel):
    _name = "customer.care.rule.preview"
    _description = "Care Rule Preview"

    rule_id = fields.Many2one("customer.care.rule", required=True, readonly=True, ondelete="cascade")
    days = fields.Integer(string="Next Days", default=30, required=True)
    action_count = fields.Integer(string="Actions to Create", readonly=True)
    line_ids = fields.One2many("customer.care.rule.preview.line", "wizard_id", string="Actions", readonly=True)

    _days_positive = models.Constraint("CHECK(days >= 0)", "The preview cannot look back in time.")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._fill_lines()
        return wizards

    def action_refresh(self):
        self.ensure_one()
        self._fill_lines()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Preview of %(rule)s", rule=self.rule_id.name),
        }

    def _fill_lines(self):
        """The actions the rule would create if it ran every day of the next ``days``; nothing
        is written but these lines."""
        today = fields.Date.context_today(self)
        for wizard in self:
            rows = self.env.execute_query(
                SQL(
                    """SELECT c.partner_id, c.contact_id, c.occurrence_date, c.due_date, c.user_id,
                              COUNT(*) OVER ()
                         FROM (%s) c
                     ORDER BY c.due_date, c.partner_id
                        LIMIT %s""",
                    wizard.rule_id._candidates_query(today, horizon_days=wizard.days),
                    PREVIEW_LINE_LIMIT,
                )
            )
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(
                    {
                        "partner_id": partner,
                        "contact_id": contact,
                        "occurrence_date": occurrence,
                        "due_date": due,
                        "user_id": user,
                    }
                )
                for partner, contact, occurrence, due, user, _total in rows
            ]
            wizard.action_count = rows[0][5] if rows else 0
