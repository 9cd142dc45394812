from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_value_basis = fields.Selection(related="company_id.customer_value_basis", readonly=False)
    customer_value_window_months = fields.Integer(related="company_id.customer_value_window_months", readonly=False)
    customer_new_days = fields.Integer(related="company_id.customer_new_days", readonly=False)
    customer_at_risk_days = fields.Integer(related="company_id.customer_at_risk_days", readonly=False)
    customer_dormant_days = fields.Integer(related="company_id.customer_dormant_days", readonly=False)
    customer_lost_days = fields.Integer(related="company_id.customer_lost_days", readonly=False)
    relationship_margin_adjust = fields.Boolean(related="company_id.relationship_margin_adjust", readonly=False)
    relationship_margin_high = fields.Float(related="company_id.relationship_margin_high", readonly=False)
    relationship_margin_low = fields.Float(related="company_id.relationship_margin_low", readonly=False)
    visit_road_factor = fields.Float(related="company_id.visit_road_factor", readonly=False)
    visit_travel_speed = fields.Float(related="company_id.visit_travel_speed", readonly=False)
    visit_checkin_distance = fields.Integer(related="company_id.visit_checkin_distance", readonly=False)
    public_holiday_country_id = fields.Many2one(related="company_id.public_holiday_country_id", readonly=False)
    public_holiday_subdivision = fields.Char(related="company_id.public_holiday_subdivision", readonly=False)

    def action_fill_public_holidays(self):
        """Save the settings, as the Save button does, then fill: the button skips the settings'
        save dialog (noSaveDialog), so a country chosen just before is the one filled, in one click."""
        self.ensure_one()
        action = self.execute()
        if action.get("tag") != "reload":
            # a module to uninstall: its confirmation comes first
            return action
        return self.company_id.action_fill_public_holidays()
