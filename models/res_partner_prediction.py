from odoo import fields, models

from .res_partner import account_field


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The repeat-buying model's figures on the account of the current company (README, "Who will buy again").
    customer_probability_alive = account_field(
        fields.Float,
        "customer_probability_alive",
        string="Probability Alive",
        aggregator="avg",
        help="The chance that the customer still buys from us, read from its own ordering rhythm and the "
        "time since its last order; empty while the company's model is not fitted.",
    )
    customer_probability_return = account_field(
        fields.Float,
        "customer_probability_return",
        string="Chance of Ordering Again",
        aggregator="avg",
        help="The chance that the customer orders at least once over the company's prediction horizon: it is "
        "still buying from us and its next order comes within the horizon. The lifecycle's at risk and dormant "
        "thresholds apply to it.",
    )
    customer_expected_orders = account_field(
        fields.Float,
        "customer_expected_orders",
        string="Expected Orders",
        digits=(10, 2),
        help="Orders expected from the customer over the company's prediction horizon.",
    )
    customer_predicted_value = account_field(
        fields.Float,
        "customer_predicted_value",
        string="Predicted Value",
        digits="Product Price",
        help="Revenue expected from the customer over the prediction horizon, in company currency.",
    )
    customer_predicted_margin = account_field(
        fields.Float,
        "customer_predicted_margin",
        string="Predicted Margin",
        digits="Product Price",
        help="The predicted value at the customer's margin rate, when its margin is known.",
    )
    customer_value_at_risk = account_field(
        fields.Float,
        "customer_value_at_risk",
        string="Value at Risk",
        digits="Product Price",
        help="(1 - probability alive) x predicted value.",
    )
    customer_margin_at_risk = account_field(
        fields.Float,
        "customer_margin_at_risk",
        string="Margin at Risk",
        digits="Product Price",
        help="(1 - probability alive) x predicted margin.",
    )
    # Recorded when the customer is marked as lost (wizards/customer_loss_mark.py).
    lost_margin = account_field(
        fields.Float,
        "lost_margin",
        writable=True,
        string="Expected Margin Lost",
        readonly=True,
        digits="Product Price",
        help="The margin the customer was expected to bring over the prediction horizon when it was marked lost.",
    )
    keeping_cost = account_field(
        fields.Float,
        "keeping_cost",
        writable=True,
        string="Cost of Keeping",
        readonly=True,
        digits="Product Price",
        help="What serving the customer cost over the prediction horizon before it was lost: the hours of its "
        "visits done at the company's cost of a visit hour, plus its care actions done at the cost of a care action.",
    )
    customer_prediction_fitted = account_field(
        fields.Boolean,
        "customer_prediction_fitted",
        string="Predicted by the Model",
        help="The figures come from the company's repeat-buying model; without it (too little order history) "
        "the lifecycle follows the day rules.",
    )
