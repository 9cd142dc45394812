import math
from datetime import datetime, time, timedelta

import pytz
from babel.dates import format_skeleton, format_time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

VISIT_TYPES = [
    ("on_site", "On Site"),
    ("phone", "Phone"),
    ("video", "Video Call"),
    ("email", "E-mail"),
    ("event", "Event"),
]
OUTCOMES = [("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")]
SATISFACTION = [("0", "Not Rated"), ("1", "Unsatisfied"), ("2", "Satisfied"), ("3", "Very Satisfied")]
CHECKIN_STATES = [
    ("located", "Located"),
    ("refused", "Location Refused"),
    ("unavailable", "Location Unavailable"),
]
# A done visit may be dated this far in the future: a time typed in the visit log, or the browser's
# clock, runs a little ahead of the server's (README, "Visits").
DONE_DATE_TOLERANCE = timedelta(minutes=5)
# Changes of these fields are carried over to the visit's calendar event.
CALENDAR_FIELDS = {"partner_id", "user_id", "planned_start", "duration", "state", "agenda"}


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle (straight-line) distance in km between two points given in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


class CustomerVisit(models.Model):
    _name = "customer.visit"
    _description = "Customer Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    # Most recent first: a customer's history and the analysis read back in time. The Visits menu
    # opens on the planned visits, soonest first (its own list and kanban views).
    _order = "planned_start desc, id desc"
    _rec_names_search = ["name", "partner_id.name"]

    # Who and what
    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
        help="A visit to a contact person is recorded on the contact's company.",
    )
    contact_ids = fields.Many2many(
        "res.partner",
        string="People Met",
        domain="[('commercial_partner_id', '=', partner_id), ('id', '!=', partner_id)]",
    )
    customer_tier_id = fields.Many2one(related="partner_id.customer_tier_id", string="Tier")
    customer_tier_color = fields.Integer(related="partner_id.customer_tier_color")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", compute="_compute_team_id", store=True, readonly=False, index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    visit_type = fields.Selection(VISIT_TYPES, string="Type", required=True, default="on_site")
    purpose_ids = fields.Many2many("customer.visit.purpose", string="Purposes")

    # When
    planned_start = fields.Datetime(string="Planned For", required=True, default=fields.Datetime.now, tracking=True)
    duration = fields.Float(default=1.0, help="Duration in hours.")
    done_date = fields.Datetime(string="Done On", readonly=True, copy=False)
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        required=True,
        default="planned",
        readonly=True,
        copy=False,
        tracking=True,
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue", help="Planned and past its date."
    )
    calendar_event_id = fields.Many2one("calendar.event", readonly=True, copy=False)

    # Before and after
    agenda = fields.Html(help="Topics prepared before the visit.")
    notes = fields.Html(help="What was discussed, the details and the problems to handle. Required to mark it done.")
    customer_needs = fields.Text()
    competitor_info = fields.Text(string="Competitor Information")
    outcome = fields.Selection(OUTCOMES)
    satisfaction = fields.Selection(SATISFACTION, default="0")
    satisfaction_score = fields.Integer(
        compute="_compute_satisfaction_score",
        store=True,
        aggregator="avg",
        help="1 Unsatisfied, 2 Satisfied, 3 Very Satisfied; 0 for a visit not rated, which averages leave out.",
    )
    next_visit_date = fields.Date(help="When to see the customer again; plan it in one click once the visit is done.")
    next_visit_id = fields.Many2one("customer.visit", readonly=True, copy=False)

    # Check-in and check-out: where the salesperson's browser was, with their permission.
    checkin_date = fields.Datetime(string="Checked In", readonly=True, copy=False)
    checkin_state = fields.Selection(CHECKIN_STATES, string="Check-in Location", readonly=True, copy=False)
    checkin_latitude = fields.Float(string="Check-in Latitude", digits=(10, 7), readonly=True, copy=False)
    checkin_longitude = fields.Float(string="Check-in Longitude", digits=(10, 7), readonly=True, copy=False)
    checkin_distance = fields.Integer(
        string="Check-in Distance (m)", readonly=True, copy=False, help="From the customer's location."
    )
    checkin_far = fields.Boolean(
        string="Checked In Far Away",
        readonly=True,
        copy=False,
        help="Checked in farther from the customer than the distance set in the settings.",
    )
    checkin_on_site_rate = fields.Float(
        string="Checked In on Site (%)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="100 for a visit checked in near the customer, 0 otherwise: its average is the rate.",
    )
    checkout_date = fields.Datetime(string="Checked Out", readonly=True, copy=False)
    checkout_state = fields.Selection(CHECKIN_STATES, string="Check-out Location", readonly=True, copy=False)
    checkout_latitude = fields.Float(string="Check-out Latitude", digits=(10, 7), readonly=True, copy=False)
    checkout_longitude = fields.Float(string="Check-out Longitude", digits=(10, 7), readonly=True, copy=False)

    _duration_positive = models.Constraint("CHECK(duration >= 0)", "The duration of a visit cannot be negative.")

    @api.depends("partner_id", "planned_start")
    @api.depends_context("lang", "tz", "uid")
    def _compute_display_name(self):
        """The customer and the time, as a salesperson names a visit: "Shanghai Huaxin · Dec 12 09:00 AM"
        (the year only for another year), in the reader's language and time zone."""
        lang = get_lang(self.env)
        locale = babel_locale_parse(lang.code)
        # the language's time format without the seconds
        time_format = posix_to_ldml(lang.time_format.replace(":%S", ""), locale)
        this_year = fields.Datetime.context_timestamp(self, fields.Datetime.now()).year
        for visit in self:
            if not visit.planned_start:
                visit.display_name = visit.partner_id.display_name or visit.name
                continue
            local = fields.Datetime.context_timestamp(visit, visit.planned_start)
            day = format_skeleton("MMMd" if local.year == this_year else "yMMMd", local, locale=locale)
            hour = format_time(local, time_format, locale=locale)
            visit.display_name = f"{visit.partner_id.display_name} · {day} {hour}"

    @api.depends("user_id")
    def _compute_team_id(self):
        for visit in self:
            visit.team_id = self.env["crm.team"]._get_default_team_id(user_id=visit.user_id.id)

    @api.depends("state", "planned_start")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for visit in self:
            visit.is_overdue = visit.state == "planned" and bool(visit.planned_start) and visit.planned_start < now

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = Domain("state", "=", "planned") & Domain("planned_start", "<", fields.Datetime.now())
        return overdue if True in value else ~overdue

    @api.depends("satisfaction")
    def _compute_satisfaction_score(self):
        for visit in self:
            visit.satisfaction_score = int(visit.satisfaction or 0)

    @api.constrains("state", "notes")
    def _check_notes(self):
        for visit in self:
            if visit.state == "done" and fields.Html.is_empty(visit.notes):
                raise ValidationError(
                    self.env._("Write the notes of visit %(visit)s before marking it done.", visit=visit.display_name)
                )

    @api.constrains("next_visit_date", "planned_start", "done_date")
    def _check_dates(self):
        for visit in self:
            visit_date = (visit.done_date or visit.planned_start).date()
            if visit.next_visit_date and visit.next_visit_date <= visit_date:
                raise ValidationError(
                    self.env._("The next visit of %(visit)s must come after the visit itself.", visit=visit.name)
                )
            if visit.done_date and visit.done_date > fields.Datetime.now() + DONE_DATE_TOLERANCE:
                raise ValidationError(self.env._("Visit %(visit)s cannot be done in the future.", visit=visit.name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_partner(vals)
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code("customer.visit") or "/"
        visits = super().create(vals_list)
        visits._sync_calendar_event()
        # A contact logged as done resolves the care actions it makes pointless (README, "Care rules").
        done = visits.filtered(lambda visit: visit.state == "done")
        self.env["customer.care.action"]._resolve_for("contact", done.partner_id)
        return visits

    def write(self, vals):
        self._normalize_partner(vals)
        if vals.get("state") == "planned" and any(visit.state == "done" for visit in self):
            raise UserError(self.env._("A done visit cannot go back to planned."))
        if vals.get("state") == "done" and any(visit.state == "cancelled" for visit in self):
            raise UserError(self.env._("A cancelled visit cannot be marked done: plan it again first."))
        result = super().write(vals)
        if CALENDAR_FIELDS & set(vals) and not self.env.context.get("customer_visit_calendar_sync"):
            self._sync_calendar_event()
        if vals.get("state") in ("done", "cancelled"):
            # The visit a care rule planned settles its care action, which the salesperson may not see.
            actions = self.env["customer.care.action"].sudo().search([("visit_id", "in", self.ids)])
            if vals["state"] == "done":
                actions._mark_from_source("done")
                self.env["customer.care.action"]._resolve_for("contact", self.partner_id)
            else:
                actions._mark_from_source("skipped", self.env._("The visit was cancelled."))
        return result

    def _read_group_select(self, aggregate_spec, query):
        # An unrated visit (score 0) has no satisfaction: averages, minimums and maximums skip it.
        fname, __, func = aggregate_spec.partition(":")
        if fname == "satisfaction_score" and func in ("avg", "min", "max"):
            return SQL(
                "%s(NULLIF(%s, 0))", SQL(func.upper()), self._field_to_sql(self._table, "satisfaction_score", query)
            )
        return super()._read_group_select(aggregate_spec, query)

    def _normalize_partner(self, vals):
        """A visit belongs to the commercial partner; a contact given instead is one of the people met."""
        partner = self.env["res.partner"].browse(vals.get("partner_id"))
        if partner and partner != partner.commercial_partner_id:
            vals["partner_id"] = partner.commercial_partner_id.id
            vals["contact_ids"] = [*vals.get("contact_ids", []), fields.Command.link(partner.id)]

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_done(self):
        if any(visit.state != "planned" for visit in self):
            raise UserError(self.env._("Only planned visits can be marked done."))
        now = fields.Datetime.now()
        for visit in self:
            visit.write({"state": "done", "done_date": min(now, visit.planned_start)})
        return True

    def action_cancel(self):
        if any(visit.state != "planned" for visit in self):
            raise UserError(self.env._("Only planned visits can be cancelled."))
        self.state = "cancelled"
        return True

    def action_plan_again(self):
        if any(visit.state != "cancelled" for visit in self):
            raise UserError(self.env._("Only cancelled visits can be planned again."))
        self.state = "planned"
        return True

    def action_plan_next_visit(self):
        """Plan the visit agreed at the end of this one, at the same hour, and open it."""
        self.ensure_one()
        if self.state != "done" or not self.next_visit_date or self.next_visit_id:
            raise UserError(self.env._("Mark the visit done with a next visit date to plan the next one."))
        self.next_visit_id = self.copy(
            {
                "planned_start": datetime.combine(self.next_visit_date, self.planned_start.time()),
                "next_visit_date": False,
                "notes": False,
                "outcome": False,
                "satisfaction": "0",
            }
        )
        return self.next_visit_id._get_records_action()

    def action_check_in(self, latitude=None, longitude=None, location_state="unavailable"):
        """Called by the check-in button with the browser's position, or why there is none."""
        self.ensure_one()
        if self.state != "planned" or self.checkin_date:
            raise UserError(self.env._("Only a planned visit not checked in yet can be checked in."))
        values = self._location_values(latitude, longitude, location_state)
        distance = None  # unknown: no position, or a customer without a location
        if values["state"] == "located":
            distance = self._distance_from_customer(values["latitude"], values["longitude"])
        far = distance is not None and distance > self.company_id.visit_checkin_distance
        self.write(
            {
                "checkin_date": fields.Datetime.now(),
                "checkin_state": values["state"],
                "checkin_latitude": values["latitude"],
                "checkin_longitude": values["longitude"],
                "checkin_distance": distance or 0,
                "checkin_far": far,
                "checkin_on_site_rate": 100.0 if distance is not None and not far else 0.0,
            }
        )
        return True

    def action_check_out(self, latitude=None, longitude=None, location_state="unavailable"):
        self.ensure_one()
        if not self.checkin_date or self.checkout_date:
            raise UserError(self.env._("Check in to the visit before checking out, once."))
        values = self._location_values(latitude, longitude, location_state)
        self.write(
            {
                "checkout_date": fields.Datetime.now(),
                "checkout_state": values["state"],
                "checkout_latitude": values["latitude"],
                "checkout_longitude": values["longitude"],
            }
        )
        return True

    @api.model
    def _location_values(self, latitude, longitude, location_state):
        if location_state not in dict(CHECKIN_STATES):
            raise ValidationError(self.env._("Unknown location state: %(state)s.", state=location_state))
        if location_state != "located":
            return {"state": location_state, "latitude": 0.0, "longitude": 0.0}
        try:
            latitude, longitude = float(latitude), float(longitude)
        except (TypeError, ValueError):
            raise ValidationError(self.env._("The location sent by the browser is not a position.")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(self.env._("The location sent by the browser is not a position."))
        return {"state": "located", "latitude": latitude, "longitude": longitude}

    def _distance_from_customer(self, latitude, longitude):
        """Metres from the customer's location, or None when the customer has none."""
        customer = self.partner_id
        if not (customer.partner_latitude or customer.partner_longitude):
            return None
        return round(haversine_km(latitude, longitude, customer.partner_latitude, customer.partner_longitude) * 1000)

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    def _route_legs(self):
        """For visits of one day in order: (visit, km, travel hours, stop) from the previous stop, the
        straight-line distance times the company's road factor at its speed (None without locations).
        Only on-site visits are stops: a call has no leg (False) and the next stop measures from the
        previous on-site one; ``stop`` is False for calls and for the day's first stop."""
        company = self.company_id[:1] or self.env.company
        legs, previous = [], None
        for visit in self:
            if visit.visit_type != "on_site":
                legs.append((visit, False, False, False))
                continue
            here = visit.partner_id
            km = None
            if (
                previous
                and (here.partner_latitude or here.partner_longitude)
                and (previous.partner_latitude or previous.partner_longitude)
            ):
                km = company.visit_road_factor * haversine_km(
                    previous.partner_latitude, previous.partner_longitude, here.partner_latitude, here.partner_longitude
                )
            legs.append((visit, km, km is not None and km / company.visit_travel_speed, bool(previous)))
            previous = here
        return legs

    def _schedule_followups(self, followups):
        """``followups``: dicts of ``summary``, ``date_deadline`` and ``user_id``: each becomes a to-do
        on the visit, in the activities of the chosen user."""
        self.ensure_one()
        for followup in followups:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=followup["date_deadline"],
                summary=followup["summary"],
                user_id=followup["user_id"],
            )

    def _sync_calendar_event(self):
        """A planned visit has a calendar event in its salesperson's calendar; cancelling removes it."""
        sync = self.with_context(customer_visit_calendar_sync=True)
        sync.filtered(lambda v: v.state == "cancelled").calendar_event_id.unlink()
        for visit in sync.filtered(lambda v: v.state == "planned"):
            values = visit._calendar_event_values()
            if visit.calendar_event_id:
                visit.calendar_event_id.write(values)
            else:
                visit.calendar_event_id = self.env["calendar.event"].with_context(dont_notify=True).create(values)

    def _calendar_event_values(self):
        self.ensure_one()
        return {
            "name": self.env._("Visit %(visit)s: %(customer)s", visit=self.name, customer=self.partner_id.name),
            "start": self.planned_start,
            "stop": self.planned_start + timedelta(hours=self.duration or 0.5),
            "user_id": self.user_id.id,
            "partner_ids": [fields.Command.set(self.user_id.partner_id.ids)],
            "location": ", ".join(filter(None, self.partner_id._display_address(without_company=True).splitlines())),
            "description": self.agenda,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
        }

    def _update_from_calendar_event(self):
        """The event of a planned visit was moved in the calendar: the visit follows."""
        for visit in self.filtered(lambda v: v.state == "planned"):
            event = visit.calendar_event_id
            visit.with_context(customer_visit_calendar_sync=True).write(
                {"planned_start": event.start, "duration": event.duration}
            )

    def _route_sheet_days(self):
        """(salesperson, day, visits in order) for each day plan of the route sheet."""
        groups = self.sorted("planned_start").grouped(
            lambda v: (v.user_id, fields.Datetime.context_timestamp(v, v.planned_start).date())
        )
        return sorted(((user, day, visits) for (user, day), visits in groups.items()), key=lambda g: (g[1], g[0].name))

    def _get_previous_visit(self):
        """The customer's last done visit before this one, for the route sheet."""
        self.ensure_one()
        before = Domain("done_date", "<", self.planned_start) & Domain("id", "!=", self.id)
        return self._last_done_visits(self.partner_id, self.company_id, 1, before)[self.partner_id.id]

    def _get_open_followups(self):
        """Open follow-ups of all the customer's visits, for the route sheet."""
        self.ensure_one()
        return self._open_followups(self.partner_id, self.company_id)[self.partner_id.id]

    @api.model
    def _last_done_visits(self, customers, company, limit, domain=Domain.TRUE):
        """{customer id: its last ``limit`` done visits in ``company`` (within ``domain``), the
        latest first}, for all ``customers`` in two queries; read with this model's environment,
        so record rules apply. The handover note, the account review and the route sheet use it."""
        done = self._search(
            Domain("partner_id", "in", customers.ids)
            & Domain("company_id", "=", company.id)
            & Domain("state", "=", "done")
            & Domain(domain)
        )
        # The last N per customer is a window function the ORM cannot say; the subquery keeps the
        # record rules of the search above.
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY done_date DESC, id DESC) AS rank
                      FROM customer_visit
                     WHERE id IN %s
                ) ranked
                 WHERE rank <= %s
                """,
                done.subselect(),
                limit,
            )
        )
        visits = self.search([("id", "in", [visit_id for (visit_id,) in rows])], order="done_date desc, id desc")
        by_customer = visits.grouped("partner_id")
        return {customer.id: by_customer.get(customer, self.browse()) for customer in customers}

    @api.model
    def _open_followups(self, customers, company, on_customers=False):
        """{customer id: its open follow-ups in ``company``, the earliest first}: the activities on
        its visits there and, with ``on_customers``, those on the customer and its contacts too.
        Read with this model's environment (the handover reads them in sudo, the reports as the
        user). The handover note, the account review and the route sheet use it."""
        visits = self._search(Domain("partner_id", "in", customers.ids) & Domain("company_id", "=", company.id))
        domain = Domain("res_model", "=", self._name) & Domain("res_id", "in", visits)
        people = customers | customers.child_ids if on_customers else customers.browse()
        if people:
            domain |= Domain("res_model", "=", "res.partner") & Domain("res_id", "in", people.ids)
        activities = self.env["mail.activity"].search_fetch(
            domain,
            ["res_model", "res_id", "summary", "activity_type_id", "date_deadline", "user_id"],
            order="date_deadline, id",
        )
        followed = self.browse(activities.filtered(lambda activity: activity.res_model == self._name).mapped("res_id"))
        customer_of = {(self._name, visit.id): visit.partner_id.id for visit in followed} | {
            ("res.partner", person.id): person.commercial_partner_id.id for person in people
        }
        by_customer = activities.grouped(lambda activity: customer_of[activity.res_model, activity.res_id])
        return {customer.id: by_customer.get(customer.id, activities.browse()) for customer in customers}

    @api.model
    def _to_utc(self, day, hour=0.0):
        """The naive UTC datetime of ``hour`` (a float) on ``day`` in the user's time zone."""
        local = datetime.combine(day, time()) + timedelta(hours=hour)
        return self.env.tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
