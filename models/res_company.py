from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_value_basis = fields.Selection(
        [("sale", "Confirmed sale orders (untaxed)"), ("invoice", "Invoiced revenue net of credit notes")],
        required=True,
        default="sale",
    )
    customer_value_window_months = fields.Integer(string="Value Window (months)", required=True, default=12)
    customer_new_days = fields.Integer(string="New Customer Period (days)", required=True, default=90)
    customer_at_risk_days = fields.Integer(
        string="At Risk After (days)",
        default=0,
        help="A customer is at risk when it has not ordered for 1.5 times its own average interval "
        "between orders, or for this many days when set (0: the interval rule only).",
    )
    customer_dormant_days = fields.Integer(string="Dormant After (days)", required=True, default=180)
    customer_lost_days = fields.Integer(string="Lost After (days)", required=True, default=365)
    relationship_margin_adjust = fields.Boolean(
        string="Adjust Target Level by Margin",
        help="Kotler's matrix: a high-margin customer gets a target relationship level one above its "
        "tier's, a low-margin customer one below. Needs the confirmed orders value basis.",
    )
    relationship_margin_high = fields.Float(string="High Margin From (%)", default=30.0)
    relationship_margin_low = fields.Float(string="Low Margin Below (%)", default=10.0)
    # Visit routes: travel time between stops is the straight-line distance x the road factor / the speed.
    visit_road_factor = fields.Float(
        string="Road Factor",
        default=1.3,
        help="How much longer the road is than the straight line between two customers.",
    )
    visit_travel_speed = fields.Float(string="Travel Speed (km/h)", default=40.0)
    visit_checkin_distance = fields.Integer(
        string="Check-in Distance (m)",
        default=500,
        help="A check-in farther than this from the customer's location is flagged.",
    )

    _customer_window_positive = models.Constraint(
        "CHECK(customer_value_window_months > 0)",
        "The customer value window must be at least one month.",
    )
    _customer_lifecycle_days = models.Constraint(
        "CHECK(customer_new_days > 0 AND customer_at_risk_days >= 0"
        " AND customer_dormant_days > 0 AND customer_lost_days > customer_dormant_days)",
        "Lifecycle thresholds must be positive and a customer must be dormant before it is lost.",
    )
    _visit_route_settings = models.Constraint(
        "CHECK(visit_road_factor >= 1 AND visit_travel_speed > 0 AND visit_checkin_distance > 0)",
        "The road factor must be at least 1, and the travel speed and the check-in distance positive.",
    )
    _relationship_margin_bands = models.Constraint(
        "CHECK(relationship_margin_low < relationship_margin_high)",
        "The low margin threshold must be below the high margin threshold.",
    )
