from odoo import fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

# Why a customer is on someone's day; the README ("My day") says when each one appears.
WORKLIST_REASONS = [
    ("visit", "Visit"),
    ("contact", "Contact Due"),
    ("care", "Care Action"),
    ("order", "Order Due"),
    ("followup", "Follow-up"),
    ("at_risk", "At Risk"),
    ("pool", "Back to Pool Soon"),
]
# How far ahead "My day" looks: today and the rest of the week.
HORIZON_DAYS = 7
# Expected orders stay on the list this long after their date without an order.
ORDER_GRACE_DAYS = 30


class CustomerWorklist(models.Model):
    """What a salesperson has to do for their customers today and this week, one row per thing
    to do, ranked by the money at stake, then by urgency. A view over the visits, accounts, care
    actions and follow-ups: the list, its counters and the actions read the same rows."""

    _name = "customer.worklist"
    _description = "My Day"
    _auto = False
    _order = "stake desc, tier_sequence, date, id"
    _rec_name = "partner_id"
    # What the view reads: the ORM writes it to the database before reading the view.
    _depends = {
        "customer.visit": ["partner_id", "company_id", "user_id", "state", "planned_start", "done_date"],
        "customer.account": [
            "partner_id",
            "company_id",
            "user_id",
            "tier_id",
            "value",
            "loss_date",
            "expected_next_order_date",
            "last_order_date",
            "lifecycle",
            "value_at_risk",
            "prediction_fitted",
            "pool_reclaim_date",
        ],
        "customer.tier": ["visit_interval_days", "sequence"],
        "customer.care.action": ["partner_id", "company_id", "user_id", "state", "due_date"],
        "mail.activity": ["res_model", "res_id", "user_id", "date_deadline", "active"],
        "crm.team.member": ["user_id", "crm_team_id", "active"],
    }

    reason = fields.Selection(WORKLIST_REASONS, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    date = fields.Date(string="Due", readonly=True)
    tier_id = fields.Many2one("customer.tier", readonly=True)
    tier_sequence = fields.Integer(readonly=True, aggregator=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    stake = fields.Monetary(
        string="At Stake",
        readonly=True,
        help="The customer's predicted value at risk over the prediction horizon (its value over the tier "
        "window while the repeat-buying model is not fitted): what the company stands to lose.",
    )
    visit_id = fields.Many2one("customer.visit", readonly=True)
    care_action_id = fields.Many2one("customer.care.action", readonly=True)
    activity_id = fields.Many2one("mail.activity", string="Follow-up", readonly=True)
    summary = fields.Char(compute="_compute_summary")

    def _compute_summary(self):
        for item in self:
            customer = item.partner_id.with_company(item.company_id)
            if item.reason == "care":
                # The name of the rule behind an action the user may see (rules are managers').
                item.summary = item.care_action_id.sudo().rule_id.name
            elif item.reason == "followup":
                item.summary = item.activity_id.summary or item.activity_id.activity_type_id.name
            elif item.reason == "visit":
                item.summary = item.visit_id.display_name
            elif item.reason == "contact":
                last = customer.last_visit_date
                item.summary = (
                    self.env._("Last visit on %(date)s", date=tools.format_date(self.env, last))
                    if last
                    else self.env._("No visit yet")
                )
            elif item.reason == "pool":
                item.summary = self.env._("Goes back to the customer pool unless contacted")
            elif item.reason == "at_risk":
                item.summary = self.env._(
                    "Chance of ordering again: %(chance)s%%", chance=round(100 * customer.customer_probability_return)
                )
            elif customer.average_order_interval:
                item.summary = self.env._(
                    "Orders about every %(days)s days", days=round(customer.average_order_interval)
                )
            else:
                item.summary = False

    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        # Every column with the rows: reading one later by id (the record rules' salesperson and
        # company, the summary's sources) would evaluate the whole view again, not an index.
        if field_names is not None:
            field_names = [name for name, field in self._fields.items() if field.store]
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        # Ids: the source row's id times 8 plus the reason's number, unique across the union.
        return SQL(
            """
            WITH items AS (
                SELECT visit.id * 8 AS id, 'visit' AS reason, visit.partner_id, visit.company_id,
                       visit.user_id, (visit.planned_start AT TIME ZONE 'UTC')::date AS date,
                       visit.id AS visit_id, NULL::integer AS care_action_id, NULL::integer AS activity_id
                  FROM customer_visit visit
                 WHERE visit.state = 'planned' AND visit.planned_start < CURRENT_DATE + %(horizon)s + 1
                UNION ALL
                -- Due for contact by the tier's interval since the last done visit, and no visit planned.
                SELECT account.id * 8 + 1, 'contact', account.partner_id, account.company_id, account.user_id,
                       COALESCE((last_visit.done AT TIME ZONE 'UTC')::date + tier.visit_interval_days,
                                CURRENT_DATE),
                       NULL, NULL, NULL
                  FROM customer_account account
                  JOIN customer_tier tier ON tier.id = account.tier_id AND tier.visit_interval_days > 0
                  LEFT JOIN LATERAL (
                        SELECT MAX(visit.done_date) AS done FROM customer_visit visit
                         WHERE visit.partner_id = account.partner_id AND visit.company_id = account.company_id
                           AND visit.state = 'done') last_visit ON TRUE
                 WHERE account.user_id IS NOT NULL AND account.loss_date IS NULL
                   AND (last_visit.done IS NULL
                        OR (last_visit.done AT TIME ZONE 'UTC')::date + tier.visit_interval_days
                           <= CURRENT_DATE + %(horizon)s)
                   AND NOT EXISTS (SELECT FROM customer_visit planned
                                    WHERE planned.partner_id = account.partner_id
                                      AND planned.company_id = account.company_id AND planned.state = 'planned')
                UNION ALL
                SELECT care.id * 8 + 2, 'care', care.partner_id, care.company_id, care.user_id, care.due_date,
                       NULL, care.id, NULL
                  FROM customer_care_action care
                 WHERE care.state = 'scheduled' AND care.due_date <= CURRENT_DATE + %(horizon)s
                UNION ALL
                SELECT account.id * 8 + 3, 'order', account.partner_id, account.company_id, account.user_id,
                       account.expected_next_order_date, NULL, NULL, NULL
                  FROM customer_account account
                 WHERE account.user_id IS NOT NULL AND account.loss_date IS NULL
                   AND account.expected_next_order_date
                       BETWEEN CURRENT_DATE - %(grace)s AND CURRENT_DATE + %(horizon)s
                   AND (account.last_order_date IS NULL
                        OR account.last_order_date < account.expected_next_order_date)
                UNION ALL
                SELECT activity.id * 8 + 4, 'followup', visit.partner_id, visit.company_id, activity.user_id,
                       activity.date_deadline, visit.id, NULL, activity.id
                  FROM mail_activity activity
                  JOIN customer_visit visit ON activity.res_model = 'customer.visit' AND visit.id = activity.res_id
                 WHERE activity.active AND activity.date_deadline < CURRENT_DATE
                UNION ALL
                -- The repeat-buying model says the customer is slipping away (README, "Prediction").
                SELECT account.id * 8 + 5, 'at_risk', account.partner_id, account.company_id, account.user_id,
                       CURRENT_DATE, NULL, NULL, NULL
                  FROM customer_account account
                 WHERE account.user_id IS NOT NULL AND account.loss_date IS NULL AND account.prediction_fitted
                   AND account.lifecycle = 'at_risk' AND account.value_at_risk > 0
                UNION ALL
                -- The customer pool's rules will reclaim the customer (README, "Customer pool").
                SELECT account.id * 8 + 6, 'pool', account.partner_id, account.company_id, account.user_id,
                       account.pool_reclaim_date, NULL, NULL, NULL
                  FROM customer_account account
                 WHERE account.user_id IS NOT NULL AND account.loss_date IS NULL
                   AND account.pool_reclaim_date <= CURRENT_DATE + %(horizon)s
            )
            SELECT items.*, account.tier_id, COALESCE(tier.sequence, 0) AS tier_sequence,
                   COALESCE(CASE WHEN account.prediction_fitted THEN account.value_at_risk ELSE account.value END, 0)
                       AS stake,
                   team.crm_team_id AS team_id
              FROM items
              -- The salesperson's first team, as Odoo's res.users.sale_team_id
              LEFT JOIN LATERAL (SELECT member.crm_team_id FROM crm_team_member member
                                  WHERE member.user_id = items.user_id AND member.active
                                  ORDER BY member.create_date, member.id LIMIT 1) team ON TRUE
              LEFT JOIN customer_account account
                     ON account.partner_id = items.partner_id AND account.company_id = items.company_id
              LEFT JOIN customer_tier tier ON tier.id = account.tier_id
            """,
            horizon=HORIZON_DAYS,
            grace=ORDER_GRACE_DAYS,
        )

    # ------------------------------------------------------------
    # Actions: each row does what its reason asks, on the record it comes from.
    # ------------------------------------------------------------

    def action_open(self):
        self.ensure_one()
        # A visit's or a follow-up's visit, a care action, else the customer.
        return (self.visit_id or self.care_action_id or self.partner_id)._get_records_action()

    def action_log_contact(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_log_visit()

    def action_plan_visit(self):
        self.ensure_one()
        # A new visit's form alone: the visits list's action would bring its search view along.
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a Visit"),
            "res_model": "customer.visit",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_user_id": self.user_id.id,
            },
        }

    def action_care_done(self):
        self._care_actions().action_mark_done()

    def action_care_skip(self):
        self._care_actions().action_skip()

    def action_followup_done(self):
        activities = self.activity_id
        if not activities:
            raise UserError(self.env._("Only follow-ups can be marked done here."))
        activities.action_done()

    def _care_actions(self):
        actions = self.care_action_id
        if not actions or len(actions) != len(self):
            raise UserError(self.env._("Only care actions can be marked done or skipped here."))
        return actions
