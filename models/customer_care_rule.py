import bisect
import functools
import logging
from datetime import timedelta

from lunardate import LunarDate
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .customer_account import ANALYZE_AFTER_ROWS
from .customer_tier import RELATIONSHIP_LEVELS
from .notification import notify_and_close

_logger = logging.getLogger(__name__)

TRIGGERS = [
    ("birthday", "Contact Birthday"),
    ("anniversary", "Customer Anniversary"),
    ("holiday", "Public Holiday"),
    ("cadence", "Contact Interval Exceeded"),
    ("after_sale", "After a Sale"),
    ("dormancy", "Dormant Customer (Win-back)"),
    ("tier_change", "Tier Change"),
    ("relationship_gap", "Relationship Below Target"),
    ("new_referral", "New Referral (Thank the Referrer)"),
    ("expected_order", "Expected Order Due"),
]
CARE_ACTIONS = [
    ("activity", "Schedule an Activity"),
    ("email", "Send an E-mail"),
    ("sms", "Send an SMS"),
    ("visit", "Plan a Visit"),
]
RESPONSIBLES = [
    ("salesperson", "Customer's Salesperson"),
    ("team_leader", "Sales Team Leader"),
    ("tier_manager", "Tier Manager"),
    ("user", "Fixed User"),
]
LEVEL_KEYS = [level for level, _label in RELATIONSHIP_LEVELS]
# A rule that has not run for a while catches up at most this far back: a greeting weeks late
# is worse than none.
MAX_CATCH_UP_DAYS = 7


@functools.cache
def _lunar_months():
    """(first solar day, lunar year, month, leap, length) of every lunar month lunardate knows
    (1900-2099), in order: the lunar calendar of a century, computed once per process."""
    months = []
    for year in range(1900, 2100):
        leap_month = LunarDate.leap_month_for_year(year)
        for month in range(1, 13):
            for leap in (False, True) if month == leap_month else (False,):
                try:
                    LunarDate(year, month, 30, leap).to_solar_date()
                    length = 30
                except ValueError:
                    length = 29
                months.append((LunarDate(year, month, 1, leap).to_solar_date(), year, month, leap, length))
    return months


@functools.cache
def _lunar_births(month, day, leap):
    """The solar dates of every lunar (month, day, leap) that existed: the birth dates of the people
    born on that lunar day."""
    return [
        start + timedelta(days=day - 1)
        for start, _y, m, lp, length in _lunar_months()
        if (m, lp) == (month, leap) and day <= length
    ]


def lunar_birthday_table(first_day, last_day):
    """(birth date, greeting date) pairs for the greeting dates from ``first_day`` to ``last_day``:
    a person born on the solar ``birth`` date and keeping a lunar birthday is greeted on ``day``,
    the solar date of the same lunar month and day that year.

    A lunar 30th falls on the 29th in 29-day months. Someone born in a leap month is greeted in that
    leap month in the years that have it, in the ordinary month of the same number otherwise."""
    months = _lunar_months()
    starts = [month[0] for month in months]
    rows = []
    day = first_day
    while day <= last_day:
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and day < starts[index] + timedelta(days=months[index][4]):
            start, year, month, leap, length = months[index]
            lunar_day = (day - start).days + 1
            keys = [(month, lunar_day, leap)]
            if not leap and LunarDate.leap_month_for_year(year) != month:
                keys.append((month, lunar_day, True))
            if lunar_day == length == 29:
                keys += [(m, 30, lp) for m, _d, lp in keys]
            rows += [(birth, day) for key in keys for birth in _lunar_births(*key) if birth < day]
        day += timedelta(days=1)
    return rows


class CustomerCareRule(models.Model):
    _name = "customer.care.rule"
    _description = "Customer Care Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)

    # When
    trigger = fields.Selection(TRIGGERS, required=True, default="birthday")
    days_offset = fields.Integer(
        string="Due (Days from the Event)",
        help="The action is due this many days after the event; a negative number means before it: "
        "-7 is a week before the event.",
    )
    days_offset_label = fields.Char(
        compute="_compute_days_offset_label", string="Due", help="When the action is due, in words."
    )
    lead_days = fields.Integer(
        string="Create Days Ahead",
        default=7,
        help="How far ahead of the event date the action is created: an event within this many "
        "days of today gets its action now.",
    )
    holiday_date = fields.Date(
        string="Fixed Yearly Date",
        help="Only the day and month are used. Leave empty to follow the company's public holidays.",
    )
    # The country whose public holidays the company fills: the holidays a rule may pick.
    holiday_country_id = fields.Many2one("res.country", compute="_compute_holiday_country_id")
    holiday_ids = fields.Many2many(
        "customer.care.holiday",
        string="Holidays",
        domain="[('country_id', '=', holiday_country_id)]",
        help="The public holidays filled from the holidays library that the rule greets, e.g. Spring Festival, "
        "whatever their name in the company's language. Empty (and no words below): every public holiday.",
    )
    holiday_keyword = fields.Char(
        string="Holiday Name Contains",
        help="Also the public holidays whose name contains one of these words, separated by commas, "
        "e.g. Spring Festival, 春节: for holidays entered by hand. Empty (and no holidays above): every "
        "public holiday.",
    )
    tier_direction = fields.Selection(
        [("up", "Moved Up"), ("down", "Moved Down")], default="down", help="Which tier moves trigger the rule."
    )
    dormancy_lifecycle = fields.Selection(
        [("at_risk", "At Risk"), ("dormant", "Dormant")],
        string="From Lifecycle",
        default="dormant",
        help="The rule applies once per inactive spell, as soon as the customer reaches this lifecycle.",
    )

    # Which customers
    tier_ids = fields.Many2many("customer.tier", string="Tiers", check_company=True, help="Empty: every tier.")
    min_relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS,
        string="From Relationship Level",
        help="Only customers at this relationship level or above. Empty: every level.",
    )

    # What
    action = fields.Selection(CARE_ACTIONS, required=True, default="activity")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        default=lambda self: self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False),
        domain="[('res_model', 'in', (False, 'res.partner'))]",
    )
    summary = fields.Char(translate=True, help="Title of the activity or the visit; the rule's name when empty.")
    note = fields.Html(string="Instructions", translate=True, help="Note of the activity or agenda of the visit.")
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail Template", domain="[('model', '=', 'res.partner')]"
    )
    sms_template_id = fields.Many2one("sms.template", string="SMS Template", domain="[('model', '=', 'res.partner')]")
    responsible = fields.Selection(RESPONSIBLES, required=True, default="salesperson")
    user_id = fields.Many2one(
        "res.users",
        string="Fixed or Fallback User",
        domain="[('share', '=', False)]",
        help="Responsible when the rule names a fixed user, and when the customer has no salesperson, "
        "team leader or tier manager.",
    )

    # Results
    last_run_date = fields.Date(readonly=True, copy=False)
    action_ids = fields.One2many("customer.care.action", "rule_id", string="Care Actions")
    action_count = fields.Integer(compute="_compute_action_count", string="Number of Care Actions")

    _lead_days_positive = models.Constraint(
        "CHECK(lead_days >= 0)", "The number of days ahead a care action is created cannot be negative."
    )

    @api.depends("days_offset")
    def _compute_days_offset_label(self):
        for rule in self:
            days = rule.days_offset
            if days < 0:
                rule.days_offset_label = self.env._("%(days)s days before the event", days=-days)
            elif days > 0:
                rule.days_offset_label = self.env._("%(days)s days after the event", days=days)
            else:
                rule.days_offset_label = self.env._("On the day of the event")

    def _compute_action_count(self):
        counts = dict(
            self.env["customer.care.action"]._read_group([("rule_id", "in", self.ids)], ["rule_id"], ["__count"])
        )
        for rule in self:
            rule.action_count = counts.get(rule, 0)

    @api.depends("company_id.public_holiday_country_id", "company_id.country_id")
    def _compute_holiday_country_id(self):
        for rule in self:
            rule.holiday_country_id = rule.company_id._public_holiday_country()

    @api.constrains("lead_days", "days_offset")
    def _check_lead_days(self):
        for rule in self.filtered(lambda r: r.lead_days < -r.days_offset):
            raise ValidationError(
                self.env._(
                    "Care rule %(rule)s is due %(days)s days before the event, so its actions must be "
                    "created at least %(days)s days ahead.",
                    rule=rule.name,
                    days=-rule.days_offset,
                )
            )

    @api.constrains("action", "mail_template_id", "sms_template_id", "activity_type_id", "responsible", "user_id")
    def _check_action_settings(self):
        settings = self._care_required_settings()
        for rule in self:
            for choice, value, required, message in settings:
                if rule[choice] == value and not rule[required]:
                    raise ValidationError(message % {"rule": rule.name})

    def _care_required_settings(self):
        """(field, value, field it then requires, message with %(rule)s): what a rule's choices call
        for. An addon adding an action or a responsible adds its line here."""
        # The messages first: the string extractor misreads translated calls inside a tuple.
        email = self.env._("Care rule %(rule)s sends an e-mail: choose its template.")
        sms = self.env._("Care rule %(rule)s sends an SMS: choose its template.")
        activity = self.env._("Care rule %(rule)s schedules an activity: choose its type.")
        fixed_user = self.env._("Care rule %(rule)s is assigned to a fixed user: choose the user.")
        return [
            ("action", "email", "mail_template_id", email),
            ("action", "sms", "sms_template_id", sms),
            ("action", "activity", "activity_type_id", activity),
            ("responsible", "user", "user_id", fixed_user),
        ]

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals and not vals["active"]:
            self.env["customer.care.action"]._resolve_for("rule_archived", rules=self)
        return result

    def action_view_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_care_action_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_preview(self):
        self.ensure_one()
        preview = self.env["customer.care.rule.preview"].create({"rule_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": preview._name,
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Preview of %(rule)s", rule=self.name),
        }

    def action_run_now(self):
        """Run the rules at once, as the daily scheduled action would, without waiting for it."""
        # Actions are inserted in SQL: make sure the user may manage the rules.
        self.check_access("write")
        today = fields.Date.context_today(self)
        created = self.env["customer.care.action"]
        created._resolve_all(rules=self)
        for rule in self:
            created |= rule._generate_actions(today)
        actions = self.env["customer.care.action"]
        actions.search([("rule_id", "in", self.ids), *actions._pending_domain(today)])._execute(today)
        return notify_and_close(self.env._("Care actions created: %(count)s", count=len(created)))

    # ------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------

    @api.model
    def _cron_run_care_rules(self, batch_size=1000, today=None):
        """Create the care actions of every active rule, then carry out the due ones in batches.

        Each rule's generation is one statement and commits on its own; the execution of the
        actions commits per batch and resumes where it stopped, as nothing done is picked again."""
        cron = self.env["ir.cron"]
        rules = self.search([])  # pylint: disable=no-search-all
        today = today or fields.Date.context_today(self)
        # First close what lost its reason, so that nothing below sends or schedules it.
        self.env["customer.care.action"]._resolve_all()
        cron._commit_progress(remaining=len(rules))
        generated = 0
        for rule in rules:
            try:
                with self.env.cr.savepoint():
                    generated += len(rule._generate_actions(today))
            except SerializationFailure:
                # Another worker generated this rule's actions at the same time: nothing is missing.
                _logger.info("Care rule %s is being run by another worker", rule.name)
            except Exception:
                # A broken rule (say, a template that was deleted) must not stop the others.
                _logger.exception("Care rule %s failed to generate its actions", rule.name)
            if not cron._commit_progress(1):
                return
        actions = self.env["customer.care.action"]
        if generated > ANALYZE_AFTER_ROWS:
            # A backlog (the first run): the planner must know the new actions, or it picks
            # each batch by scanning and sorting all of them.
            self.env.cr.execute("ANALYZE customer_care_action")
        pending = actions._pending_domain(today)
        cron._commit_progress(remaining=actions.search_count(pending))
        while batch := actions.search(pending, limit=batch_size, order="id").try_lock_for_update():
            batch._execute(today)
            if not cron._commit_progress(len(batch)):
                return

    def _generate_actions(self, today):
        """Insert the missing care actions of the rule for events up to ``lead_days`` ahead.

        The unique index on (rule, customer, contact, occurrence) makes a second run insert
        nothing; a second worker running at the same time waits for the first and then fails
        with a serialization error (Odoo's repeatable-read transactions) rather than insert a
        duplicate. Returns the new actions."""
        self.ensure_one()
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO customer_care_action
                          (rule_id, company_id, action, partner_id, contact_id, occurrence_date, due_date,
                           user_id, state, attempt_count, create_uid, write_uid, create_date, write_date)
                   SELECT %(rule)s, %(company)s, %(action)s, c.partner_id, c.contact_id, c.occurrence_date,
                          c.due_date, c.user_id, 'scheduled', 0, %(uid)s, %(uid)s,
                          NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                     FROM (%(candidates)s) c
                       ON CONFLICT DO NOTHING
                RETURNING id""",
                rule=self.id,
                company=self.company_id.id,
                action=self.action,
                uid=self.env.uid,
                candidates=self._candidates_query(today),
            )
        )
        self.last_run_date = today
        actions = self.env["customer.care.action"]
        actions.invalidate_model()
        return actions.browse(row[0] for row in rows)

    def _candidates_query(self, today, horizon_days=0):
        """SELECT of (partner_id, contact_id, occurrence_date, due_date, user_id) for the events
        the rule acts upon between ``today`` and ``horizon_days`` later, without an action yet."""
        self.ensure_one()
        company = self.company_id
        # A rule running for the first time starts today; afterwards it catches up from its last
        # run, so that an event recorded after that run (a manual recomputation) is not missed.
        since = max(min(self.last_run_date or today, today), today - timedelta(days=MAX_CATCH_UP_DAYS))
        params = {
            # Events before the rule's actions (a birthday) must be still to come; events with
            # actions after them (a sale) must have their action still to come.
            "first_event": since - timedelta(days=max(self.days_offset, 0)),
            "rule": self.id,
            "company": company.id,
            "key": str(company.id),
            "tz": company.resource_calendar_id.tz or "UTC",
            "since": since,
            "until": today + timedelta(days=horizon_days + self.lead_days),
            "offset": self.days_offset,
            "today": today,
        }
        customer_filters = [SQL("TRUE")]
        if self.tier_ids:
            customer_filters.append(SQL("account.tier_id = ANY(%s)", self.tier_ids.ids))
        if self.min_relationship_level:
            customer_filters.append(
                SQL(
                    "array_position(%s::varchar[], COALESCE(account.relationship_level, 'basic')) >= %s",
                    LEVEL_KEYS,
                    LEVEL_KEYS.index(self.min_relationship_level) + 1,
                )
            )
        in_window = SQL("e.occurrence_date <= %(until)s", **params)
        if self.trigger in self._care_dated_triggers():
            in_window = SQL("%s AND e.occurrence_date >= %s", in_window, params["first_event"])
        responsible = {
            "salesperson": SQL("c.user_id"),
            "team_leader": SQL("team.user_id"),
            "tier_manager": SQL("tier.manager_id"),
            "user": SQL("NULL::int"),
        }[self.responsible]
        # The sales team leader of the customer's salesperson: looked up per customer, so only
        # for the rules that assign to them.
        team_join = SQL(
            """LEFT JOIN LATERAL (
                   SELECT team.user_id FROM crm_team_member member JOIN crm_team team ON team.id = member.crm_team_id
                    WHERE member.user_id = c.user_id AND member.active AND team.active
                      AND (team.company_id IS NULL OR team.company_id = %(company)s)
                 ORDER BY team.sequence, team.id LIMIT 1) team ON TRUE""",
            **params,
        )
        return SQL(
            """
WITH customers AS (
    -- the customer's account in the company: its salesperson there, its figures
    SELECT cp.id, COALESCE(account.user_id, cp.user_id) AS user_id,
           COALESCE(account.relationship_level, 'basic') AS relationship_level,
           cp.founding_date, cp.create_date, account.tier_id, account.first_order_date,
           account.last_order_date, account.expected_next_order_date, account.lifecycle
      FROM res_partner cp
      JOIN customer_account account ON account.partner_id = cp.id AND account.company_id = %(company)s
     WHERE cp.active AND cp.id = cp.commercial_partner_id AND account.tier_id IS NOT NULL
       -- a customer marked as lost gets no care (its open actions are cancelled)
       AND account.loss_date IS NULL
       AND (cp.company_id IS NULL OR cp.company_id = %(company)s) AND %(filters)s
),
events AS (%(events)s)
SELECT DISTINCT e.partner_id, e.contact_id, e.occurrence_date,
       GREATEST(e.occurrence_date + %(offset)s, %(today)s) AS due_date,
       COALESCE(%(responsible)s, %(fallback)s) AS user_id
  FROM events e
  JOIN customers c ON c.id = e.partner_id
  LEFT JOIN customer_tier tier ON tier.id = c.tier_id
  %(team_join)s
 WHERE %(in_window)s
   AND NOT EXISTS (
        SELECT 1 FROM customer_care_action done
         WHERE done.rule_id = %(rule)s AND done.partner_id = e.partner_id
           AND COALESCE(done.contact_id, 0) = COALESCE(e.contact_id, 0)
           AND done.occurrence_date = e.occurrence_date)
            """,
            filters=SQL(" AND ").join(customer_filters),
            events=self._events_query(params),
            responsible=responsible,
            team_join=team_join if self.responsible == "team_leader" else SQL(),
            # NULL, not false, without a fallback user: the action then fails for want of a responsible.
            fallback=self.user_id.id or None,
            in_window=in_window,
            **params,
        )

    @api.model
    def _care_dated_triggers(self):
        """Triggers fired by a dated event, as opposed to a lasting state of the customer (cadence,
        dormancy, gap): a dated event whose action would already be past due when the rule first runs
        is not acted upon late. An addon adding a dated trigger adds it here."""
        return {"birthday", "anniversary", "holiday", "after_sale", "tier_change", "new_referral", "expected_order"}

    def _events_query(self, params):
        """SELECT of (partner_id, contact_id, occurrence_date) over the ``customers`` CTE, from the
        trigger's method ``_care_events_<trigger>(params)``, found by name as Odoo core finds
        ``_run_action_<state>`` for server actions: an addon adds a trigger with ``selection_add``
        and that method.

        ``params`` holds ``company``, ``key`` (the company id, for company-dependent columns),
        ``tz``, ``first_event`` and ``until`` (the dates the rule looks at), ``today`` and ``offset``.
        The ``customers`` CTE has the rule's customers: ``id``, ``user_id``, ``tier_id``,
        ``relationship_level``, ``founding_date``, ``create_date``, ``first_order_date``,
        ``last_order_date``, ``expected_next_order_date`` and ``lifecycle``."""
        self.ensure_one()
        method = getattr(self, f"_care_events_{self.trigger}", None)
        if method is None:
            raise ValidationError(
                self.env._("Care rule %(rule)s has a trigger no installed module handles.", rule=self.name)
            )
        return method(params)

    def _care_events_birthday(self, params):
        # The person's birthday, contacts of the customer and private customers alike; a lunar
        # birthday on the solar dates of its lunar month and day, from a table of the window's days.
        lunar_days = lunar_birthday_table(params["first_event"], params["until"])
        return SQL(
            """WITH person AS (
                   SELECT c.id AS partner_id, person.id AS contact_id, person.birthday,
                          COALESCE(person.birthday_lunar, FALSE) AS lunar
                     FROM customers c
                     JOIN res_partner person ON person.commercial_partner_id = c.id AND person.active
                          AND NOT person.is_company AND person.birthday IS NOT NULL)
               SELECT person.partner_id, person.contact_id, occ.day AS occurrence_date
                 FROM person CROSS JOIN LATERAL (%(yearly)s) occ
                WHERE NOT person.lunar AND occ.day > person.birthday
            UNION ALL
               SELECT person.partner_id, person.contact_id, lunar.day AS occurrence_date
                 FROM person JOIN unnest(%(births)s::date[], %(days)s::date[]) lunar(birth, day)
                      ON lunar.birth = person.birthday
                WHERE person.lunar""",
            yearly=self._yearly_occurrences(SQL("person.birthday"), params),
            births=[birth for birth, _day in lunar_days],
            days=[day for _birth, day in lunar_days],
        )

    def _care_events_anniversary(self, params):
        founded = SQL("COALESCE(c.founding_date, c.first_order_date)")
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, occ.day AS occurrence_date
                 FROM customers c CROSS JOIN LATERAL (%s) occ
                WHERE occ.day > %s""",
            self._yearly_occurrences(founded, params),
            founded,
        )

    def _care_events_holiday(self, params):
        if self.holiday_date:
            days = self._yearly_occurrences(SQL("%s::date", self.holiday_date), params)
        else:
            days = self._public_holidays_query(params)
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, holiday.day AS occurrence_date
                 FROM customers c CROSS JOIN (%s) holiday""",
            days,
        )

    def _public_holidays_query(self, params):
        """SELECT of ``day``: the first days of the company's public holidays the rule greets. They are
        the leaves without a resource, on no calendar or the company's; a holiday is known by its
        identity in the holidays library when it was filled from it (so that Spring Festival and its
        observed days are one holiday), by its name otherwise. A holiday of several days, one leave or
        one a day, is greeted on its first day."""
        keywords = [word.strip() for word in (self.holiday_keyword or "").split(",") if word.strip()]
        if self.holiday_ids or keywords:
            matches = SQL(
                """(leave.care_holiday_id = ANY(%s)
                    OR EXISTS (SELECT 1 FROM unnest(%s::varchar[]) keyword
                                WHERE POSITION(LOWER(keyword) IN LOWER(COALESCE(leave.name, ''))) > 0))""",
                self.holiday_ids.ids,
                keywords,
            )
        else:
            matches = SQL("TRUE")

        def local_day(column):
            return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)::date", column, params["tz"])

        return SQL(
            """WITH holiday AS (
                   SELECT DISTINCT COALESCE('#' || leave.care_holiday_id, leave.name) AS identity, day::date AS day
                     FROM resource_calendar_leaves leave
                    CROSS JOIN generate_series(%(first_day)s, GREATEST(%(first_day)s, %(last_day)s),
                                               INTERVAL '1 day') day
                    WHERE leave.resource_id IS NULL AND leave.company_id = %(company)s
                      AND (leave.calendar_id IS NULL OR leave.calendar_id = %(calendar)s)
                      AND leave.date_to >= %(first_event)s::timestamp - INTERVAL '2 days'
                      AND leave.date_from <= %(until)s::timestamp + INTERVAL '2 days'
                      AND %(matches)s)
               SELECT DISTINCT holiday.day FROM holiday
                WHERE NOT EXISTS (SELECT 1 FROM holiday eve
                                   WHERE eve.identity = holiday.identity AND eve.day = holiday.day - 1)""",
            first_day=local_day(SQL("leave.date_from")),
            # a leave ending at midnight ends the day before
            last_day=local_day(SQL("(leave.date_to - INTERVAL '1 second')")),
            calendar=self.company_id.resource_calendar_id.id or None,
            matches=matches,
            **params,
        )

    def _care_events_cadence(self, params):
        # Due once the tier's interval has passed since the last done visit or logged contact
        # (or, never contacted, since the first order or the customer's creation).
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id,
                      COALESCE(contact.last_date, c.first_order_date, (c.create_date AT TIME ZONE 'UTC')::date)
                      + tier.visit_interval_days AS occurrence_date
                 FROM customers c
                 JOIN customer_tier tier ON tier.id = c.tier_id
            LEFT JOIN (SELECT visit.partner_id,
                              MAX((visit.done_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date) AS last_date
                         FROM customer_visit visit
                        WHERE visit.state = 'done' AND visit.company_id = %(company)s
                     GROUP BY visit.partner_id) contact ON contact.partner_id = c.id""",
            **params,
        )

    def _care_events_after_sale(self, params):
        # The person who ordered is the contact, when the order was placed by one.
        return SQL(
            """SELECT c.id AS partner_id, NULLIF(so.partner_id, c.id) AS contact_id,
                      (so.date_order AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS occurrence_date
                 FROM sale_order so
                 JOIN res_partner buyer ON buyer.id = so.partner_id
                 JOIN customers c ON c.id = buyer.commercial_partner_id
                WHERE so.state = 'sale' AND so.company_id = %(company)s
                  AND so.date_order >= %(first_event)s::timestamp - INTERVAL '1 day'""",
            **params,
        )

    def _care_events_dormancy(self, params):
        # Once per inactive spell: the spell is known by the last order before it.
        lifecycles = ["dormant", "lost"] if self.dormancy_lifecycle == "dormant" else ["at_risk", "dormant", "lost"]
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, c.last_order_date AS occurrence_date
                 FROM customers c
                WHERE c.last_order_date IS NOT NULL AND c.lifecycle = ANY(%s::varchar[])""",
            lifecycles,
        )

    def _care_events_tier_change(self, params):
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, history.date AS occurrence_date
                 FROM customer_tier_history history
                 JOIN customers c ON c.id = history.partner_id
                WHERE history.company_id = %(company)s AND history.direction = %(direction)s
                  AND history.date >= %(first_event)s""",
            direction=self.tier_direction or "down",
            **params,
        )

    def _care_events_new_referral(self, params):
        # The referrer is thanked, once per day on which it referred customers.
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, referred.referral_date AS occurrence_date
                 FROM res_partner referred
                 JOIN customers c ON c.id = referred.referred_by_id
                WHERE referred.active AND referred.referral_date >= %(first_event)s""",
            **params,
        )

    def _care_events_relationship_gap(self, params):
        # Once per tier assignment, from the customer's last tier move.
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id,
                      COALESCE(moved.last_date, (c.create_date AT TIME ZONE 'UTC')::date) AS occurrence_date
                 FROM customers c
                 JOIN customer_tier tier ON tier.id = c.tier_id
            LEFT JOIN (SELECT history.partner_id, MAX(history.date) AS last_date
                         FROM customer_tier_history history
                        WHERE history.company_id = %(company)s
                     GROUP BY history.partner_id) moved ON moved.partner_id = c.id
                WHERE array_position(%(levels)s::varchar[], COALESCE(c.relationship_level, 'basic'))
                      < array_position(%(levels)s::varchar[], tier.target_relationship_level::varchar)""",
            levels=LEVEL_KEYS,
            **params,
        )

    def _care_events_expected_order(self, params):
        # The second sale: the customer's expected next order date (its average interval between
        # orders after the last one), once per expected date; the offset says how many days before.
        return SQL(
            """SELECT c.id AS partner_id, NULL::int AS contact_id, c.expected_next_order_date AS occurrence_date
                 FROM customers c
                WHERE c.expected_next_order_date IS NOT NULL"""
        )

    @api.model
    def _yearly_occurrences(self, date_sql, params):
        """SELECT of ``day``: the yearly returns of a date around the rule's window. A 29 February
        falls on the 28th in other years."""
        return SQL(
            """SELECT make_date(year, EXTRACT(MONTH FROM %(date)s)::int,
                      LEAST(EXTRACT(DAY FROM %(date)s)::int,
                            EXTRACT(DAY FROM make_date(year, EXTRACT(MONTH FROM %(date)s)::int, 1)
                                             + INTERVAL '1 month - 1 day')::int)) AS day
                 FROM generate_series(%(first_year)s, %(last_year)s) year""",
            date=date_sql,
            first_year=params["first_event"].year,
            last_year=params["until"].year,
        )
