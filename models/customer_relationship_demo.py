import math
import random
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .customer_care_action import MAX_ATTEMPTS

# Months of tier history the demo replays: a team six months into using the addon.
HISTORY_MONTHS = 6
# The demo customer (by value rank) that churned in the current quarter.
CHURNED_RANK = 27
# Customers added in Shanghai (the demo salesperson's) and Beijing (admin's), a few km apart: the
# value rank their orders follow. They buy steadily, none gone quiet.
CITY_CUSTOMERS = {"33": 9, "34": 13, "35": 17, "36": 21, "37": 10, "38": 15, "39": 19}
# Of those, the ones due for a visit in the coming days and not planned yet: what Plan Visits
# groups into one day's route (four stops in Shanghai, two in Beijing).
UNPLANNED_DUE = ["33", "34", "35", "36", "37", "38"]
# The share of the past on-site visits, since the team checks in, by where they checked in: near
# the customer, farther than the company's check-in distance, location refused or unavailable.
CHECK_INS = [("near", 82), ("far", 10), ("refused", 4), ("unavailable", 4)]
# Since how many days the team checks in at on-site visits.
CHECK_IN_DAYS = 90
# What a done visit was about, with the notes a salesperson would have written.
VISIT_NOTES = {
    "customer_visit_purpose_relationship": [
        "Lunch with {contact}. They expect the business to grow next year and want fewer, larger deliveries.",
        "Courtesy visit: {contact} showed us the new workshop. Good mood, no open issue.",
        "Tea with {contact}; talked about their expansion plans and who decides on the next framework contract.",
    ],
    "customer_visit_purpose_order": [
        "Negotiated the next quarter's volumes with {contact}: they ask for 3% off above 50 units.",
        "{contact} confirmed the renewal of the service package; the quotation goes out this week.",
        "Price discussion with {contact}: they compare us with a local supplier, we keep the price and add training.",
    ],
    "customer_visit_purpose_solve": [
        "Two deliveries were late last month. Explained the cause to {contact} and agreed a weekly status call.",
        "Invoice dispute settled with {contact}: a credit note for the damaged parcel.",
    ],
    "customer_visit_purpose_market": [
        "{contact} shared how their market is moving: demand shifts to smaller orders with faster delivery.",
        "Asked {contact} what they buy elsewhere: packaging and spare parts, both worth quoting.",
    ],
    "customer_visit_purpose_after_sales": [
        "Checked the last installation with {contact}: working as expected, two operators need a refresher.",
        "After-sales check: {contact} is happy with the response times of the support line.",
    ],
    "customer_visit_purpose_complaint": [
        "{contact} complained about a wrong label on the last shipment; logistics will call them back.",
        "Follow-up of the complaint on response times: {contact} accepts the new escalation path.",
    ],
}
NEEDS = [
    "Faster delivery for urgent orders.",
    "Training for two new operators.",
    "A yearly framework contract with fixed prices.",
    "Monthly consolidated invoicing.",
]
COMPETITORS = [
    "A local supplier offers 8% less with longer delivery times.",
    "A competitor invited their buyer to a trade fair.",
]
AGENDAS = [
    "Review the open orders and the delivery schedule.",
    "Present the new service options and ask about next year's budget.",
    "Follow up on the last complaint and check satisfaction.",
    "Prepare the renewal of the framework contract.",
]
FOLLOW_UPS = [
    "Send the revised quotation",
    "Check the delivery date with logistics",
    "Book the operator training",
    "Send the product brochure",
]
# The share of each visit type, of each satisfaction rating (0: not rated).
VISIT_TYPES = [("on_site", 50), ("phone", 25), ("video", 15), ("email", 5), ("event", 5)]
SATISFACTIONS = [("0", 15), ("1", 8), ("2", 45), ("3", 32)]


class CustomerRelationshipDemo(models.AbstractModel):
    """Demo data that tells what a sales team six months into using the addon sees: 18 months of
    orders and visits, tier moves over the past months, referrals, two lost customers and the care
    actions of the past months. Called from the demo data files only; every date is relative to
    the day of the installation and every choice comes from seeded generators."""

    _name = "customer.relationship.demo"
    _description = "Customer Relationship Demo Data"

    @api.model
    def _register_demo_visits(self):
        """Give each demo visit an external id of the addon. A visit forbids deleting its customer:
        uninstalling the addon then deletes the demo visits before the demo customers."""
        # At the installation of the demo data, every visit is a demo visit.
        visits = self.env["customer.visit"].with_context(active_test=False).search([])  # pylint: disable=no-search-all
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"customer_relationship.demo_visit_{visit.id}", "record": visit, "noupdate": True}
                for visit in visits
            ]
        )

    @api.model
    def _create_demo_sales(self):
        """Orders, tier history, relationship levels, visits, referrals and losses."""
        company = self.env.ref("base.main_company")
        today = fields.Date.context_today(self)
        self._create_demo_orders()
        self._replay_demo_tier_history(company, today)
        customers = self.env["res.partner"].search(
            [("parent_id", "=", False), ("customer_tier_id", "!=", False)], order="id"
        )
        rng = random.Random(2026)
        # The levels were set when the team started, six months ago.
        first_day = (today - relativedelta(months=HISTORY_MONTHS)).replace(day=1)
        self._with_backdated_messages(first_day, lambda: self._set_demo_relationship_levels(customers, rng))
        lost = self.env.ref("customer_relationship.demo_customer_29") | self.env.ref(
            "customer_relationship.demo_customer_30"
        )
        self._create_demo_visits(customers, lost, today, rng)
        self._create_demo_referrals(today)
        self._mark_demo_losses(lost, today)
        self.env["customer.retention.report"]._refresh_company(company)

    @api.model
    def _create_demo_orders(self):
        """18 months of confirmed orders for the 37 demo customers, their totals on a Pareto curve
        (rank ** -1.3), the last six customers gone quiet, one customer in euros, a few cancelled
        orders."""
        rng = random.Random(19)
        company = self.env.ref("base.main_company")
        today = fields.Date.context_today(self)
        quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        product = self.env.ref("customer_relationship.demo_product_service")
        euro_pricelist = self.env.ref("customer_relationship.demo_pricelist_eur")
        now = fields.Datetime.now()
        orders_vals, order_dates = [], []
        ranks = [(f"{rank:02d}", rank) for rank in range(1, 31)] + list(CITY_CUSTOMERS.items())
        for number, rank in ranks:
            partner = self.env.ref(f"customer_relationship.demo_customer_{number}")
            orders_per_year = max(1, round(24 / rank**0.6))
            yearly_value = 600000 / rank**1.3
            quiet_days = max(0, rank - 24) * 65
            # A quiet customer's last order is exactly that many days ago; one became dormant
            # (churned) in the current quarter, a fortnight ago at most.
            last_days = quiet_days
            if number == f"{CHURNED_RANK:02d}":
                last_days = company.customer_dormant_days + min(15, (today - quarter_start).days)
            for index in range(max(1, round(orders_per_year * 1.5))):
                days_ago = rng.randint(quiet_days, 540)
                order_dates.append(now - relativedelta(days=last_days if quiet_days and not index else days_ago))
                orders_vals.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.user_id.id,
                        "pricelist_id": euro_pricelist.id if number == "07" else False,
                        "order_line": [
                            fields.Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": round(yearly_value / orders_per_year * rng.uniform(0.6, 1.4)),
                                }
                            )
                        ],
                    }
                )
        orders = self.env["sale.order"].create(orders_vals)
        orders.action_confirm()
        for order, date in zip(orders, order_dates, strict=True):
            order.date_order = date
        cancelled = self.env["sale.order"].create(orders_vals[:3])
        cancelled._action_cancel()
        # Named like the demo records of the XML file, so that uninstalling removes them too.
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"customer_relationship.demo_sale_order_{index}", "record": order, "noupdate": True}
                for index, order in enumerate(orders | cancelled, start=1)
            ]
        )

    @api.model
    def _replay_demo_tier_history(self, company, today):
        """Classify the customers as the nightly job did on the first day of each of the past months
        and today: first classifications months ago, then moves up and down as orders came in or
        dried up, each in the history and the chatter on its own date. A manager set one tier by
        hand half-way."""
        days = [today - relativedelta(months=months) for months in range(HISTORY_MONTHS, 0, -1)]
        for day in [*(day.replace(day=1) for day in days), today]:
            self._with_backdated_messages(
                day, lambda day=day: self.env["customer.tier"]._recompute_company_tiers(company, day)
            )
            if day == today.replace(day=1) - relativedelta(months=HISTORY_MONTHS // 2):
                # A price-driven buyer: large orders, no loyalty. The manager keeps it at Lead.
                price_driven = self.env.ref("customer_relationship.demo_customer_12")
                self._with_backdated_messages(
                    day,
                    lambda price_driven=price_driven: (
                        self.env["customer.tier.set"]
                        .with_company(company)
                        .create(
                            {
                                "partner_id": price_driven.id,
                                "company_id": company.id,
                                "tier_id": self.env.ref("customer_relationship.customer_tier_lead").id,
                                "reason": "Price-driven, no loyalty",
                            }
                        )
                        .action_apply()
                    ),
                )
                self.env["customer.tier.history"].search([("manual", "=", True)]).date = day

    def _with_backdated_messages(self, day, function):
        """Run ``function``; the chatter messages it logs on customers are dated ``day``."""
        self.env.flush_all()
        [(last_id,)] = self.env.execute_query(SQL("SELECT COALESCE(MAX(id), 0) FROM mail_message"))
        function()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET date = %s WHERE id > %s AND model = 'res.partner'",
                fields.Datetime.to_datetime(day) + timedelta(hours=2),
                last_id,
            )
        )
        self.env["mail.message"].invalidate_model(["date"])

    @api.model
    def _set_demo_relationship_levels(self, customers, rng):
        """Most customers at their tier's target, some a step or two below, a few above."""
        by_level = defaultdict(lambda: self.env["res.partner"])
        for customer in customers:
            shift = rng.choices([0, -1, -2, 1], weights=[70, 18, 4, 8])[0]
            by_level[customer._shift_level(customer.target_relationship_level or "reactive", shift)] |= customer
        for level, partners in by_level.items():
            partners.relationship_level = level

    @api.model
    def _create_demo_visits(self, customers, lost, today, rng):
        """Done visits over 18 months at about each customer's tier interval, most customers
        contacted within it and a few overdue; planned visits over the coming two weeks (two left
        unlogged from the past days), with their calendar events; follow-ups on recent visits."""
        Visit = self.env["customer.visit"]
        admin = self.env.ref("base.user_admin")
        purposes = {xmlid: self.env.ref(f"customer_relationship.{xmlid}") for xmlid in VISIT_NOTES}
        unplanned_due = self.env["res.partner"].browse(
            [self.env.ref(f"customer_relationship.demo_customer_{number}").id for number in UNPLANNED_DUE]
        )
        candidates = customers - lost - unplanned_due
        # A few customers overdue in each portfolio; one of each was seen in the past days, the
        # visit not logged yet.
        mine = candidates.filtered(lambda c: c.user_id == self.env.ref("base.user_demo"))
        overdue_ids = [rng.sample(mine.ids, 2), rng.sample((candidates - mine).ids, 2)]
        overdue = self.env["res.partner"].browse(sorted(overdue_ids[0] + overdue_ids[1]))
        unlogged = self.env["res.partner"].browse([overdue_ids[0][0], overdue_ids[1][0]])
        done_vals, planned_vals, last_done = [], [], {}
        for customer in customers:
            interval = customer.customer_tier_id.visit_interval_days
            user = customer.user_id or admin
            contacts = customer.child_ids.filtered(lambda c: c.type == "contact" and not c.is_company)
            first_day = today - timedelta(days=540)
            if customer.customer_lifecycle == "prospect":
                first_day = today - timedelta(days=rng.randint(60, 150))
            if customer in lost:
                # Seen now and then until it stopped buying, then once more when it told us why.
                last = customer.last_order_date + timedelta(days=rng.randint(20, 60))
                days = [today - timedelta(days=rng.randint(40, 60))]
                step_range = (100, 160)
            elif customer in unplanned_due:
                # Due in the coming two weeks: the salesperson plans it with Plan Visits.
                last = today - timedelta(days=interval - rng.randint(2, min(12, interval - 1)))
                days = []
                step_range = (int(interval * 0.6), int(interval * 0.95))
            elif customer in overdue:
                last = today - timedelta(days=interval + rng.randint(5, 30))
                days = []
                step_range = (int(interval * 0.6), int(interval * 0.95))
            else:
                last = today - timedelta(days=max(1, int(interval * rng.uniform(0.1, 0.8))))
                days = []
                step_range = (int(interval * 0.6), int(interval * 0.95))
            # The last visit, and those before it back to the first day.
            day = last
            days.append(day)
            while (day := day - timedelta(days=rng.randint(*step_range))) >= first_day:
                days.append(day)
            for day in sorted(days):
                done_vals.append(self._demo_done_visit_vals(customer, user, contacts, day, purposes, rng))
                if customer in lost and day == max(days):
                    done_vals[-1].update(
                        outcome="negative",
                        satisfaction="1",
                        notes="<p>Farewell meeting: they have signed with another supplier and will not reorder "
                        "this year. We keep in touch with the buyer.</p>",
                    )
            # The team plans what falls due in the next two weeks.
            due = max(days) + timedelta(days=interval)
            if customer in unlogged:
                when = today - timedelta(days=rng.randint(2, 4))
                planned_vals.append(self._demo_planned_visit_vals(customer, user, contacts, when, rng))
            elif customer not in (lost | unplanned_due) and (due <= today + timedelta(days=14) or rng.random() < 0.25):
                # What falls due within two weeks, and some visits planned ahead of their date.
                when = due if due <= today + timedelta(days=14) else today + timedelta(days=rng.randint(3, 14))
                when = max(when, today + timedelta(days=rng.randint(1, 4)))
                planned_vals.append(self._demo_planned_visit_vals(customer, user, contacts, when, rng))
                last_done[len(planned_vals) - 1] = len(done_vals) - 1
        # Past visits were logged at the time: no creation message dated today on each.
        done = Visit.with_context(mail_create_nolog=True, mail_notrack=True).create(done_vals)
        planned = Visit.create(planned_vals)
        for planned_index, done_index in last_done.items():
            # The next visit agreed at the end of the last one.
            done[done_index].write(
                {
                    "next_visit_date": planned[planned_index].planned_start.date(),
                    "next_visit_id": planned[planned_index].id,
                }
            )
        self._check_in_demo_visits(done, today)
        recent = done.filtered(lambda v: v.done_date.date() >= today - timedelta(days=14))
        # One follow-up of each salesperson is past its date: My Day shows it.
        late = {visits[:1] for visits in recent.grouped("user_id").values()}
        for visit in recent[:6] | self.env["customer.visit"].union(*late):
            deadline = today + timedelta(days=rng.randint(-2, 10))
            visit._schedule_followups(
                [
                    {
                        "summary": rng.choice(FOLLOW_UPS),
                        "date_deadline": today - timedelta(days=2) if visit in late else deadline,
                        "user_id": visit.user_id.id,
                    }
                ]
            )

    @api.model
    def _check_in_demo_visits(self, done, today):
        """The check-in and check-out of the on-site visits since the team checks in, as the
        check-in button recorded them: mostly near the customer, a few far from it (flagged), a few
        without a location."""
        rng = random.Random(90)
        company = self.env.ref("base.main_company")
        since = today - timedelta(days=CHECK_IN_DAYS)
        visits = done.filtered(
            lambda v: (
                v.visit_type == "on_site"
                and v.done_date.date() >= since
                and (v.partner_id.partner_latitude or v.partner_id.partner_longitude)
            )
        )
        for visit in visits:
            kind = rng.choices([key for key, _w in CHECK_INS], weights=[w for _k, w in CHECK_INS])[0]
            checkin = visit.planned_start - timedelta(minutes=rng.randint(0, 15))
            checkout = checkin + timedelta(hours=visit.duration, minutes=rng.randint(-10, 25))
            vals = {"checkin_date": checkin, "checkout_date": checkout, "checkin_on_site_rate": 0.0}
            if kind in ("refused", "unavailable"):
                vals.update(checkin_state=kind, checkout_state=kind)
            else:
                metres = rng.uniform(10, 250) if kind == "near" else rng.uniform(700, 4000)
                latitude, longitude = self._demo_point_near(visit.partner_id, metres, rng)
                # Measured and flagged as the check-in button does.
                distance = visit._distance_from_customer(latitude, longitude)
                far = distance > company.visit_checkin_distance
                out_latitude, out_longitude = self._demo_point_near(visit.partner_id, rng.uniform(5, 120), rng)
                vals.update(
                    checkin_state="located",
                    checkin_latitude=latitude,
                    checkin_longitude=longitude,
                    checkin_distance=distance,
                    checkin_far=far,
                    checkin_on_site_rate=0.0 if far else 100.0,
                    checkout_state="located",
                    checkout_latitude=out_latitude,
                    checkout_longitude=out_longitude,
                )
            visit.with_context(mail_notrack=True).write(vals)

    @api.model
    def _demo_point_near(self, partner, metres, rng):
        """A position about ``metres`` from the partner's location, in a random direction."""
        bearing = rng.uniform(0, 2 * math.pi)
        latitude = partner.partner_latitude + metres * math.cos(bearing) / 111_320
        longitude = partner.partner_longitude + metres * math.sin(bearing) / (
            111_320 * math.cos(math.radians(partner.partner_latitude))
        )
        return round(latitude, 7), round(longitude, 7)

    @api.model
    def _demo_done_visit_vals(self, customer, user, contacts, day, purposes, rng):
        purpose_keys = rng.sample(list(purposes), rng.choice([1, 1, 2]))
        met = contacts and rng.sample(contacts.ids, min(len(contacts), rng.choice([1, 1, 2])))
        names = " and ".join(self.env["res.partner"].browse(met).mapped("name")) if met else "the buyer"
        satisfaction = rng.choices([key for key, _w in SATISFACTIONS], weights=[w for _k, w in SATISFACTIONS])[0]
        visit_type = rng.choices([key for key, _w in VISIT_TYPES], weights=[w for _k, w in VISIT_TYPES])[0]
        start = self._demo_datetime(user, day, rng)
        return {
            "partner_id": customer.id,
            "user_id": user.id,
            "company_id": self.env.ref("base.main_company").id,
            "visit_type": visit_type,
            "purpose_ids": [fields.Command.set([purposes[key].id for key in purpose_keys])],
            "contact_ids": [fields.Command.set(met or [])],
            "planned_start": start,
            "duration": 1.5 if visit_type in ("on_site", "event") else 0.5,
            "state": "done",
            "done_date": start,
            "notes": f"<p>{rng.choice(VISIT_NOTES[purpose_keys[0]]).format(contact=names)}</p>",
            "customer_needs": rng.choice(NEEDS) if rng.random() < 0.3 else False,
            "competitor_info": rng.choice(COMPETITORS) if rng.random() < 0.15 else False,
            "satisfaction": satisfaction,
            "outcome": {"1": "negative", "3": "positive"}.get(satisfaction, rng.choice(["positive", "neutral"])),
        }

    @api.model
    def _demo_planned_visit_vals(self, customer, user, contacts, day, rng):
        return {
            "partner_id": customer.id,
            "user_id": user.id,
            "company_id": self.env.ref("base.main_company").id,
            "visit_type": rng.choice(["on_site", "on_site", "phone", "video"]),
            "purpose_ids": [
                fields.Command.set([self.env.ref(f"customer_relationship.{rng.choice(list(VISIT_NOTES))}").id])
            ],
            "contact_ids": [fields.Command.set(contacts[:1].ids)],
            "planned_start": self._demo_datetime(user, day, rng),
            "duration": 1.0,
            "agenda": f"<p>{rng.choice(AGENDAS)}</p>",
        }

    @api.model
    def _demo_datetime(self, user, day, rng):
        """A working hour of a working day, in the salesperson's time zone, as naive UTC."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        hour = rng.choice([9.0, 9.5, 10.0, 11.0, 14.0, 14.5, 15.0, 16.0])
        return self.env["customer.visit"].with_context(tz=user.tz or "UTC")._to_utc(day, hour)

    @api.model
    def _create_demo_referrals(self, today):
        """Customers who brought others in, on the eve of their first order; two recent ones."""
        referrals = [("01", "14"), ("01", "22"), ("05", "19"), ("03", "26"), ("08", "31"), ("03", "32")]
        for referrer, referred in referrals:
            customer = self.env.ref(f"customer_relationship.demo_customer_{referred}")
            first_order = customer.first_order_date
            customer.write(
                {
                    "referred_by_id": self.env.ref(f"customer_relationship.demo_customer_{referrer}").id,
                    "referral_date": first_order - timedelta(days=10)
                    if first_order
                    else today - timedelta(days=10 * len(referred)),
                }
            )

    @api.model
    def _mark_demo_losses(self, lost, today):
        """Two customers marked lost with the wizard a manager uses, after the farewell visit."""
        reasons = [
            (
                "customer_loss_reason_competitor",
                "Signed a two-year contract with a competitor. Call again next spring.",
            ),
            (
                "customer_loss_reason_price",
                "Found a cheaper local supplier; our service was not worth the gap to them.",
            ),
        ]
        for customer, (reason, note) in zip(lost, reasons, strict=True):
            farewell = self.env["customer.visit"].search(
                [("partner_id", "=", customer.id), ("state", "=", "done")], order="done_date desc", limit=1
            )
            day = farewell.done_date.date() + timedelta(days=3)
            wizard = self.env["customer.loss.mark"].create(
                {
                    "partner_ids": [fields.Command.set(customer.ids)],
                    "reason_id": self.env.ref(f"customer_relationship.{reason}").id,
                    "note": note,
                }
            )
            self._with_backdated_messages(day, wizard.action_apply)
            customer.loss_date = day

    @api.model
    def _create_demo_care_history(self):
        """The care actions of the past months: activities done, a few skipped, win-back calls
        before the losses, the team leader's reviews of tier moves down, holiday greetings and one
        e-mail that bounced three times. The day's run of the rules then schedules the rest."""
        company = self.env.ref("base.main_company")
        today = fields.Date.context_today(self)
        since = today - relativedelta(months=HISTORY_MONTHS)
        rng = random.Random(7)
        admin = self.env.ref("base.user_admin")

        def rule(xmlid):
            return self.env.ref(f"customer_relationship.{xmlid}")

        def action_vals(rule_record, customer, occurrence, due, state="done", **extra):
            carried_out = max(min(due, occurrence), since)
            return {
                "rule_id": rule_record.id,
                "company_id": company.id,
                "action": rule_record.action,
                "partner_id": customer.id,
                "occurrence_date": occurrence,
                "due_date": due,
                "user_id": (customer.user_id or rule_record.user_id or admin).id,
                "state": state,
                "executed_date": fields.Datetime.to_datetime(carried_out),
                "last_attempt_date": carried_out,
                "attempt_count": 0,
                **extra,
            }

        vals_list = []
        # After-sale check calls of the accountable customers and above, but the last week's.
        after_sale = rule("customer_care_rule_after_sale")
        orders = self.env["sale.order"].search(
            [
                ("state", "=", "sale"),
                ("company_id", "=", company.id),
                ("date_order", ">=", fields.Datetime.to_datetime(since)),
                ("date_order", "<", fields.Datetime.to_datetime(today - timedelta(days=14))),
                ("partner_id.relationship_level", "in", ("accountable", "proactive", "partnership")),
            ]
        )
        seen = set()
        for order in orders:
            customer = order.partner_id.commercial_partner_id
            day = order.date_order.date()
            if (customer, day) in seen:
                continue
            seen.add((customer, day))
            skipped = rng.random() < 0.1
            vals_list.append(
                action_vals(
                    after_sale,
                    customer,
                    day,
                    day + timedelta(days=after_sale.days_offset),
                    state="skipped" if skipped else "done",
                    state_reason="The activity was cancelled." if skipped else False,
                )
            )
        # Reviews of the customers that moved down a tier.
        tier_down = rule("customer_care_rule_tier_down")
        for move in self.env["customer.tier.history"].search(
            [("direction", "=", "down"), ("date", "<", today - timedelta(days=7)), ("company_id", "=", company.id)]
        ):
            vals_list.append(action_vals(tier_down, move.partner_id, move.date, move.date, user_id=admin.id))
        # Win-back calls before the two losses.
        winback = rule("customer_care_rule_winback")
        for customer in self.env["res.partner"].search([("loss_reason_id", "!=", False)]):
            dormant_day = customer.last_order_date + timedelta(days=company.customer_dormant_days)
            vals_list.append(action_vals(winback, customer, customer.last_order_date, max(dormant_day, since)))
        # The past holidays: a visit with a gift for the best customers, a greeting to all.
        holiday_visit = rule("customer_care_rule_holiday_visit")
        holiday_email = rule("customer_care_rule_holiday_email")
        holidays = self.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", False),
                ("company_id", "=", company.id),
                ("date_from", ">=", fields.Datetime.to_datetime(since)),
                ("date_from", "<", fields.Datetime.to_datetime(today)),
            ]
        )
        customers = self.env["res.partner"].search(
            [("parent_id", "=", False), ("customer_tier_id", "!=", False), ("loss_reason_id", "=", False)], order="id"
        )
        for holiday in holidays:
            day = holiday.date_from.date()
            for customer in customers.filtered(lambda c: c.customer_tier_id in holiday_visit.tier_ids):
                due = day + timedelta(days=holiday_visit.days_offset)
                vals_list.append(action_vals(holiday_visit, customer, day, due))
            for customer in customers.filtered("email"):
                vals_list.append(action_vals(holiday_email, customer, day, day))
        # Birthdays of the past months: a call, and an e-mail; one address bounced three times.
        birthday_call = rule("customer_care_rule_birthday_call")
        birthday_email = rule("customer_care_rule_birthday_email")
        bounced = self.env.ref("customer_relationship.demo_contact_10")
        for contact in self.env["res.partner"].search([("birthday", "!=", False), ("parent_id", "in", customers.ids)]):
            day = contact.birthday + relativedelta(years=today.year - contact.birthday.year)
            if day > today:
                day -= relativedelta(years=1)
            if not since <= day < today - timedelta(days=7):
                continue
            customer = contact.commercial_partner_id
            call_due = day + timedelta(days=birthday_call.days_offset)
            vals_list.append(action_vals(birthday_call, customer, day, call_due, contact_id=contact.id))
            if contact == bounced:
                vals_list.append(
                    action_vals(
                        birthday_email,
                        customer,
                        day,
                        day,
                        state="failed",
                        contact_id=contact.id,
                        executed_date=False,
                        attempt_count=MAX_ATTEMPTS,
                        last_attempt_date=day + timedelta(days=MAX_ATTEMPTS - 1),
                        state_reason=f"550 5.1.1 <{contact.email}>: mailbox unavailable",
                    )
                )
            else:
                vals_list.append(action_vals(birthday_email, customer, day, day, contact_id=contact.id))
        # Contact intervals exceeded between two visits, settled by the next visit.
        cadence = rule("customer_care_rule_cadence")
        for customer in customers:
            interval = customer.customer_tier_id.visit_interval_days
            dates = sorted(
                visit.done_date.date()
                for visit in customer.visit_ids
                if visit.state == "done" and visit.done_date.date() >= since - timedelta(days=interval)
            )
            for previous, following in pairwise(dates):
                if (following - previous).days > interval:
                    occurrence = previous + timedelta(days=interval)
                    vals_list.append(action_vals(cadence, customer, occurrence, occurrence))
        self.env["customer.care.action"].create(vals_list)
