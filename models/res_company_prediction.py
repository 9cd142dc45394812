from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .customer_prediction import PREDICTION_VARIANTS


class ResCompany(models.Model):
    _inherit = "res.company"

    # The repeat-buying model (README, "Who will buy again")
    customer_prediction_horizon_days = fields.Integer(
        string="Prediction Horizon (days)",
        required=True,
        default=365,
        help="Expected orders, predicted value and margin are counted over this many days from today.",
    )
    customer_prediction_variant = fields.Selection(
        PREDICTION_VARIANTS,
        string="Repeat-Buying Model",
        required=True,
        default="bgnbd",
        help="BG/NBD: a customer can only leave after a repeat order, so a one-time buyer always counts as "
        "alive (its chance of ordering again still falls with its silence). MBG/NBD: a one-time buyer can be "
        "gone too; on the CDNOW panel it ranks future buyers as well but predicts fewer orders in total.",
    )
    customer_at_risk_probability = fields.Float(
        string="At Risk Below (chance of ordering)",
        required=True,
        default=0.5,
        digits=(3, 2),
        help="A customer whose chance of ordering again within the prediction horizon falls below this is at "
        "risk: it is more likely not to order than to order (0.5 by default).",
    )
    customer_dormant_probability = fields.Float(
        string="Dormant Below (chance of ordering)",
        required=True,
        default=0.2,
        digits=(3, 2),
        help="A customer whose chance of ordering again within the prediction horizon falls below this is "
        "dormant: one chance in five or less that it orders (0.2 by default).",
    )
    customer_keeping_hour_cost = fields.Monetary(
        string="Cost of a Visit Hour",
        currency_field="currency_id",
        help="What an hour of a salesperson's visit costs: the lost-customers report counts the hours spent on "
        "a customer at this cost, beside the margin lost.",
    )
    customer_care_action_cost = fields.Monetary(
        string="Cost of a Care Action",
        currency_field="currency_id",
        help="What a care action done (a call, a gift, a greeting) costs on average, for the lost-customers report.",
    )

    @api.constrains(
        "customer_prediction_horizon_days",
        "customer_at_risk_probability",
        "customer_dormant_probability",
        "customer_keeping_hour_cost",
        "customer_care_action_cost",
    )
    def _check_customer_prediction_settings(self):
        for company in self:
            if company.customer_prediction_horizon_days <= 0:
                raise ValidationError(self.env._("The prediction horizon must be at least one day."))
            if not 0 < company.customer_dormant_probability < company.customer_at_risk_probability < 1:
                raise ValidationError(
                    self.env._(
                        "The chances of ordering again must be between 0 and 1, the dormant one below the "
                        "at-risk one (%(dormant)s, %(at_risk)s).",
                        dormant=company.customer_dormant_probability,
                        at_risk=company.customer_at_risk_probability,
                    )
                )
            if company.customer_keeping_hour_cost < 0 or company.customer_care_action_cost < 0:
                raise ValidationError(self.env._("The cost of a visit hour and of a care action cannot be negative."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_prediction_horizon_days = fields.Integer(
        related="company_id.customer_prediction_horizon_days", readonly=False
    )
    customer_prediction_variant = fields.Selection(related="company_id.customer_prediction_variant", readonly=False)
    customer_at_risk_probability = fields.Float(related="company_id.customer_at_risk_probability", readonly=False)
    customer_dormant_probability = fields.Float(related="company_id.customer_dormant_probability", readonly=False)
    customer_keeping_hour_cost = fields.Monetary(related="company_id.customer_keeping_hour_cost", readonly=False)
    customer_care_action_cost = fields.Monetary(related="company_id.customer_care_action_cost", readonly=False)
