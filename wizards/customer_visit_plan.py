import itertools
import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_round, format_date

from ..models.customer_visit import VISIT_TYPES, haversine_km

try:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
except ImportError:  # declared in external_dependencies: the module does not install without it
    pywrapcp = routing_enums_pb2 = None

# A stop left out of a day costs more than any detour: the solver visits as many customers as fit.
DROP_PENALTY = 10_000_000
# Days with more stops than this get a guided local search, stopped after this many milliseconds.
EXACT_STOPS = 8
SEARCH_MS = 400


class CustomerVisitPlan(models.TransientModel):
    _name = "customer.visit.plan"
    _description = "Plan Visits"

    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=1)
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=14)
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
        help="The salesperson's customers due in the range: by their tier's contact interval, "
        "by a scheduled care action planning a visit, or with a planned visit left overdue.",
    )
    duration = fields.Float(string="Visit Duration", required=True, default=1.0)
    max_per_day = fields.Integer(string="At Most per Day", required=True, default=8)
    visit_type = fields.Selection(VISIT_TYPES, string="Type", required=True, default="on_site")
    purpose_ids = fields.Many2many("customer.visit.purpose", string="Purposes")
    line_ids = fields.One2many("customer.visit.plan.line", "wizard_id", string="Preview")
    summary = fields.Html(compute="_compute_summary", sanitize=False)
    can_create = fields.Boolean(compute="_compute_can_create")

    @api.depends("user_id", "date_to")
    def _compute_partner_ids(self):
        context = self.env.context
        for wizard in self:
            if context.get("active_model") == "res.partner" and context.get("active_ids"):
                wizard.partner_ids = self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
            else:
                wizard.partner_ids = wizard._due_customers()

    @api.depends("line_ids.planned_start")
    def _compute_can_create(self):
        for wizard in self:
            wizard.can_create = bool(wizard.line_ids.filtered("planned_start"))

    @api.depends("line_ids")
    def _compute_summary(self):
        for wizard in self:
            days = defaultdict(lambda: self.env["customer.visit.plan.line"])
            for line in wizard.line_ids.filtered("day"):
                days[line.day] |= line
            rows = []
            for day, lines in sorted(days.items()):
                lines = lines.sorted("sequence")
                end = lines[-1].planned_start + timedelta(hours=wizard.duration)
                rows.append(
                    Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                    % (
                        self._format_day(day),
                        len(lines),
                        f"{sum(lines.mapped('distance_km')):.1f}",
                        self._format_hours(sum(lines.mapped("travel_time"))),
                        self._format_hours((end - lines[0].planned_start).total_seconds() / 3600),
                    )
                )
            wizard.summary = rows and Markup(
                '<table class="table table-sm o_customer_visit_plan_summary"><thead><tr>'
                "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Day"),
                self.env._("Stops"),
                self.env._("Distance (km)"),
                self.env._("Travel"),
                self.env._("First Visit to Last"),
                Markup().join(rows),
            )

    @api.model
    def _format_hours(self, hours):
        minutes = round(hours * 60)
        return f"{minutes // 60}:{minutes % 60:02d}"

    @api.constrains("date_from", "date_to", "duration", "max_per_day")
    def _check_plan(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The end of the date range must come after its start."))
            if wizard.duration <= 0 or wizard.max_per_day <= 0:
                raise ValidationError(self.env._("The visit duration and the visits per day must be positive."))

    def action_preview(self):
        self.ensure_one()
        self.line_ids = [fields.Command.clear()] + [fields.Command.create(vals) for vals in self._plan_lines()]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Plan Visits"),
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def action_create_visits(self):
        self.ensure_one()
        if not self.line_ids:
            self.line_ids = [fields.Command.create(vals) for vals in self._plan_lines()]
        self._check_own_customers()
        if not self.can_create:
            raise UserError(self.env._("No visit to create: every customer is skipped (see why in the preview)."))
        visits = self.env["customer.visit"].create(
            [
                {
                    "partner_id": line.partner_id.id,
                    "user_id": self.user_id.id,
                    "planned_start": line.planned_start,
                    "duration": self.duration,
                    "visit_type": self.visit_type,
                    "purpose_ids": [fields.Command.set(self.purpose_ids.ids)],
                }
                for line in self.line_ids.filtered("planned_start")
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_action")
        action["domain"] = [("id", "in", visits.ids)]
        return action

    # ------------------------------------------------------------
    # Who is due
    # ------------------------------------------------------------

    def _due_customers(self):
        """The salesperson's customers due by the end of the range, most urgent first."""
        return self._customer_urgency(self.env["res.partner"], all_due=True)[0]

    def _customer_urgency(self, customers, all_due=False):
        """(customers sorted most urgent first, {customer: date it is due}). With ``all_due``,
        the customers are the salesperson's due ones: cadence, care actions planning a visit, and
        planned visits left overdue."""
        if not self.user_id:
            return customers, {}
        Partner = self.env["res.partner"]
        due = {}
        # The salesperson in this company: the account's own, else the customer's (README, "Design").
        owned = [("customer_account_user_id", "=", self.user_id.id), ("parent_id", "=", False)]
        by_cadence = (
            Partner.search([*owned, ("customer_tier_id.visit_interval_days", ">", 0)]) if all_due else customers
        )
        for partner in by_cadence:
            if partner.visit_overdue or (partner.visit_due_date and partner.visit_due_date <= self.date_to):
                due[partner] = partner.visit_due_date or date.min
        actions = self.env["customer.care.action"].search(
            [
                ("action", "=", "visit"),
                ("state", "in", ("scheduled", "failed")),
                ("visit_id", "=", False),
                ("due_date", "<=", self.date_to),
                ("partner_id.customer_account_user_id", "=", self.user_id.id)
                if all_due
                else ("partner_id", "in", customers.ids),
            ]
        )
        overdue = self.env["customer.visit"].search(
            [("user_id", "=", self.user_id.id), ("is_overdue", "=", True)]
            + ([] if all_due else [("partner_id", "in", customers.ids)])
        )
        for partner, day in [(a.partner_id, a.due_date) for a in actions] + [
            (v.partner_id, v.planned_start.date()) for v in overdue
        ]:
            due[partner] = min(due.get(partner, date.max), day)
        if all_due:
            customers = Partner.union(*due)
        return customers.sorted(lambda p: (due.get(p, date.max), p.name or "")), due

    def _check_own_customers(self):
        """A salesperson plans their own visits to their own customers; seeing all customers plans for anyone."""
        if self.env.user.has_group("customer_relationship.group_customer_relationship_user_all"):
            return
        others = self.partner_ids.commercial_partner_id.filtered(lambda p: p.customer_account_user_id != self.env.user)
        if self.user_id != self.env.user or others:
            raise AccessError(
                self.env._(
                    "You can only plan your own visits to your own customers (%(customers)s).",
                    customers=", ".join(others.mapped("display_name")) or self.user_id.name,
                )
            )

    # ------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------

    def _plan_lines(self):
        """One line per customer: its day, order and time, or why it is skipped.

        The customers are grouped by area; the areas, most urgent first, fill the earliest days that
        have room for the whole area (within the working hours, the opening hours and the travel),
        an area larger than a day continues on the next days; each day is ordered by OR-Tools to
        travel least. Customers without a location are placed after the located ones and flagged."""
        self._check_own_customers()
        visits = self.env["customer.visit"]
        customers = self.partner_ids.commercial_partner_id
        # An open planned visit, overdue or in the range, is the visit to make: plan no second one.
        planned = dict(
            visits._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("state", "=", "planned"),
                    ("planned_start", "<", visits._to_utc(self.date_to + timedelta(days=1))),
                ],
                ["partner_id"],
                ["planned_start:min"],
            )
        )
        lines = [
            {
                "partner_id": partner.id,
                "skip_reason": self.env._(
                    "Already has a planned visit (%(date)s)",
                    date=self._format_day(fields.Datetime.context_timestamp(self, planned[partner]).date()),
                ),
            }
            for partner in customers.filtered(lambda p: p in planned)
        ]
        to_plan = self._customer_urgency(customers.filtered(lambda p: p not in planned))[0]
        tz, days = self._working_days()
        if not days:
            return lines + [
                {"partner_id": p.id, "skip_reason": self.env._("No working hours in the range")} for p in to_plan
            ]
        service = round(self.duration * 60)
        members = {day: [] for day, _windows in days}
        ends = {}  # day: the minute its last located visit ends
        left = []
        located = to_plan.filtered(lambda p: p.partner_latitude or p.partner_longitude)
        for area in self._areas(located):
            left += self._place_area(days, members, ends, area, service)
        for partner in to_plan - located:
            # Travel time unknown: after the day's located stops, on the first day with room and time.
            for day, windows in days:
                if len(members[day]) >= self.max_per_day:
                    continue
                start = self._first_start(partner, windows, service, ends.get(day, windows[0][0]))
                if start is not None:
                    members[day].append(partner)
                    ends[day] = start + service
                    break
            else:
                left.append(partner)
        for day, windows in days:
            if members[day]:
                lines += self._plan_day(tz, day, windows, members[day])
        reason = self.env._(
            "No time left from %(start)s to %(end)s",
            start=self._format_day(self.date_from),
            end=self._format_day(self.date_to),
        )
        return lines + [{"partner_id": p.id, "skip_reason": reason} for p in left]

    def _format_day(self, day):
        return format_date(self.env, day, lang_code=self.env.user.lang)

    def _areas(self, partners):
        """``partners`` grouped by area, the most urgent area first (``partners`` come most urgent
        first): customers less than an hour's drive apart are in one area, and so is a chain of them."""
        company = self.user_id.company_id
        reach = company.visit_travel_speed / company.visit_road_factor  # straight-line km in one hour
        points = [(p.partner_latitude, p.partner_longitude) for p in partners]
        parent = list(range(len(points)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in itertools.combinations(range(len(points)), 2):
            if haversine_km(*points[i], *points[j]) <= reach:
                parent[max(root(i), root(j))] = min(root(i), root(j))
        areas = defaultdict(list)
        for i, partner in enumerate(partners):
            areas[root(i)].append(partner)
        return [areas[key] for key in sorted(areas)]

    def _place_area(self, days, members, ends, area, service):
        """Put the customers of ``area`` (most urgent first) in the earliest days: a day already
        planned takes the whole area only if all of it fits its route; an empty day takes what fits,
        nearest the most urgent customer first, and the rest moves on. Returns who found no day."""
        pending = list(area)
        for day, windows in days:
            if not pending:
                break
            room = self.max_per_day - len(members[day])
            candidates = [p for p in pending if self._start_ranges(p, windows, service)]
            if room <= 0 or not candidates:
                continue
            if members[day]:
                if len(candidates) < len(pending) or len(pending) > room:
                    continue
                stops, dropped = self._solve_route(members[day] + pending, windows, service, quick=True)
                if dropped:
                    continue
            else:
                seed = candidates[0]
                candidates.sort(
                    key=lambda p, seed=seed: haversine_km(
                        seed.partner_latitude, seed.partner_longitude, p.partner_latitude, p.partner_longitude
                    )
                )
                stops, _dropped = self._solve_route(candidates[:room], windows, service, quick=True)
                if not stops:
                    continue
            members[day] = [partner for partner, _start in stops]
            ends[day] = stops[-1][1] + service
            pending = [p for p in pending if p not in members[day]]
        return pending

    def _working_days(self):
        """(time zone, [(day, [(start, end) in minutes after midnight])]): the salesperson's working
        calendar over the range, leaves and public holidays excluded."""
        # The planner may not read another user's working hours.
        user = self.user_id.sudo()
        calendar = user.resource_calendar_id or user.company_id.resource_calendar_id
        if not calendar:
            raise UserError(self.env._("%(user)s has no working hours: set them on the user.", user=user.name))
        tz = pytz.timezone(user.tz or calendar.tz or "UTC")
        start = tz.localize(datetime.combine(self.date_from, time.min))
        end = tz.localize(datetime.combine(self.date_to + timedelta(days=1), time.min))
        resource = user.resource_ids.filtered(lambda r: r.calendar_id == calendar)[:1]
        intervals = calendar._work_intervals_batch(start, end, resources=resource or None, tz=tz)[resource.id]
        days = defaultdict(list)
        for interval_start, interval_stop, _meta in intervals:
            interval_start, interval_stop = interval_start.astimezone(tz), interval_stop.astimezone(tz)
            day = interval_start.date()
            stop = 24 * 60 if interval_stop.date() > day else interval_stop.hour * 60 + interval_stop.minute
            days[day].append((interval_start.hour * 60 + interval_start.minute, stop))
        return tz, sorted((day, sorted(windows)) for day, windows in days.items())

    def _plan_day(self, tz, day, windows, partners):
        """Lines of one day: the located customers in the order OR-Tools finds shortest within the
        working hours and the customers' opening hours, then the customers without a location."""
        company = self.user_id.company_id
        service = round(self.duration * 60)
        located = [p for p in partners if p.partner_latitude or p.partner_longitude]
        stops, dropped = self._solve_route(located, windows, service)
        lines, previous, clock = [], None, None
        for sequence, (partner, start) in enumerate(stops, 1):
            km = 0.0
            if previous:
                km = company.visit_road_factor * haversine_km(
                    previous.partner_latitude,
                    previous.partner_longitude,
                    partner.partner_latitude,
                    partner.partner_longitude,
                )
            lines.append(self._line(tz, day, partner, sequence, start, km, km / company.visit_travel_speed))
            previous, clock = partner, start + service
        for partner in partners:
            if partner in located:
                continue
            # Travel time unknown: right after the previous stop, in the first working slot that fits.
            start = self._first_start(partner, windows, service, clock or windows[0][0])
            if start is None:
                dropped.append(partner)
                continue
            lines.append(self._line(tz, day, partner, len(lines) + 1, start, 0.0, 0.0, no_location=True))
            clock = start + service
        reason = self.env._("No time left on %(day)s", day=self._format_day(day))
        return lines + [{"partner_id": p.id, "skip_reason": reason} for p in dropped]

    def _line(self, tz, day, partner, sequence, start, km, hours, no_location=False):
        local = datetime.combine(day, time.min) + timedelta(minutes=start)
        return {
            "partner_id": partner.id,
            "day": day,
            "sequence": sequence,
            "planned_start": tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None),
            "distance_km": float_round(km, precision_digits=1),
            "travel_time": hours,
            "no_location": no_location,
        }

    @api.model
    def _start_ranges(self, partner, windows, service):
        """The minutes of the day a visit of ``service`` minutes may start: within one working
        interval, and within the customer's opening hours when it has some."""
        open_from, open_to = 0, 24 * 60
        if partner.visit_open_from or partner.visit_open_to:
            open_from, open_to = round(partner.visit_open_from * 60), round(partner.visit_open_to * 60)
        ranges = []
        for start, end in windows:
            first, last = max(start, open_from), min(end, open_to) - service
            if first <= last:
                ranges.append((first, last))
        return ranges

    def _first_start(self, partner, windows, service, earliest):
        for first, last in self._start_ranges(partner, windows, service):
            if max(first, earliest) <= last:
                return max(first, earliest)
        return None

    def _solve_route(self, partners, windows, service, quick=False):
        """([(partner, start minute)] in visiting order, [partners left out]): an open path (the day
        starts at the first customer) minimising the distance, as a routing problem with time windows."""
        company = self.user_id.company_id
        ranges = {p: self._start_ranges(p, windows, service) for p in partners}
        dropped = [p for p in partners if not ranges[p]]
        nodes = [p for p in partners if ranges[p]]
        if not nodes:
            return [], dropped
        # Node 0 is a free start and end: no distance to or from it.
        metres = [[0] * (len(nodes) + 1) for _ in range(len(nodes) + 1)]
        minutes = [[0] * (len(nodes) + 1) for _ in range(len(nodes) + 1)]
        for i, a in enumerate(nodes, 1):
            for j, b in enumerate(nodes, 1):
                if i != j:
                    km = company.visit_road_factor * haversine_km(
                        a.partner_latitude, a.partner_longitude, b.partner_latitude, b.partner_longitude
                    )
                    metres[i][j] = round(km * 1000)
                    minutes[i][j] = math.ceil(km / company.visit_travel_speed * 60)
        manager = pywrapcp.RoutingIndexManager(len(nodes) + 1, 1, 0)
        routing = pywrapcp.RoutingModel(manager)

        def distance(from_index, to_index):
            return metres[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

        def duration(from_index, to_index):
            origin = manager.IndexToNode(from_index)
            return (service if origin else 0) + minutes[origin][manager.IndexToNode(to_index)]

        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
        day_start, day_end = windows[0][0], windows[-1][1]
        # Waiting is allowed (slack), up to the whole day.
        routing.AddDimension(routing.RegisterTransitCallback(duration), day_end, day_end, False, "time")
        clock = routing.GetDimensionOrDie("time")
        for index in (routing.Start(0), routing.End(0)):
            clock.CumulVar(index).SetRange(day_start, day_end)
        for node, partner in enumerate(nodes, 1):
            index = manager.NodeToIndex(node)
            starts = ranges[partner]
            cumul = clock.CumulVar(index)
            cumul.SetRange(starts[0][0], starts[-1][1])
            for (_first, last), (next_first, _last) in itertools.pairwise(starts):
                cumul.RemoveInterval(last + 1, next_first - 1)  # the lunch break, or a closed hour
            routing.AddDisjunction([index], DROP_PENALTY)
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        if len(nodes) > EXACT_STOPS and not quick:  # trial placements: the first solution tells what fits
            params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
            params.time_limit.FromMilliseconds(SEARCH_MS)
        solution = routing.SolveWithParameters(params)
        if not solution:
            return [], dropped + nodes
        stops, index = [], solution.Value(routing.NextVar(routing.Start(0)))
        while not routing.IsEnd(index):
            # the earliest start: the day is as compact as the route allows
            stops.append((nodes[manager.IndexToNode(index) - 1], solution.Min(clock.CumulVar(index))))
            index = solution.Value(routing.NextVar(index))
        visited = {partner for partner, _start in stops}
        return stops, dropped + [p for p in nodes if p not in visited]
