from datetime import date, datetime, time

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestCustomerVisit(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.other_customer = cls._create_customers("Visited Co", "Other Salesman Co")
        cls.other_customer.user_id = cls.salesman_other
        cls.Visit = cls.env["customer.visit"].with_company(cls.company)

    def _visit(self, **vals):
        return self.Visit.create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 6, 10, 9),
                **vals,
            }
        )

    @freeze_time("2026-06-15 12:00:00")
    def test_state_transitions_and_their_errors(self):
        visit = self._visit()
        self.assertRegex(visit.name, r"^VIS/2026/\d{5}$")
        self.assertTrue(visit.is_overdue)
        self.assertEqual(self.Visit.search([("is_overdue", "=", True), ("id", "=", visit.id)]), visit)
        with self.assertRaises(ValidationError) as error:
            visit.action_done()
        self.assertRegex(str(error.exception), "Write the notes")
        visit.notes = "<p>Discussed the delivery delays.</p>"
        with self.assertRaises(ValidationError) as error:
            visit.next_visit_date = date(2026, 6, 1)
        self.assertRegex(str(error.exception), "next visit .* must come after")
        visit.action_done()
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.done_date, datetime(2026, 6, 10, 9))
        self.assertFalse(visit.is_overdue)
        with self.assertRaises(UserError) as error:
            visit.state = "planned"
        self.assertRegex(str(error.exception), "cannot go back to planned")
        with self.assertRaises(UserError) as error:
            visit.action_cancel()
        self.assertRegex(str(error.exception), "Only planned visits can be cancelled")

        cancelled = self._visit(notes="<p>Customer asked to postpone.</p>")
        cancelled.action_cancel()
        self.assertEqual(cancelled.state, "cancelled")
        self.assertIn("postpone", cancelled.notes)
        with self.assertRaises(UserError) as error:
            cancelled.state = "done"
        self.assertRegex(str(error.exception), "cancelled visit cannot be marked done")
        cancelled.action_plan_again()
        self.assertEqual(cancelled.state, "planned")

    @freeze_time("2026-06-15 12:00:00")
    def test_plan_next_visit_in_one_click(self):
        visit = self._visit(notes="<p>Good talk.</p>", next_visit_date=date(2026, 7, 1))
        visit.contact_ids = self.customer.child_ids
        visit.action_done()
        action = visit.action_plan_next_visit()
        following = visit.next_visit_id
        self.assertEqual(action["res_id"], following.id)
        self.assertEqual(following.state, "planned")
        self.assertEqual(following.planned_start, datetime(2026, 7, 1, 9))
        self.assertEqual(following.contact_ids, self.customer.child_ids)
        self.assertFalse(following.notes)
        with self.assertRaises(UserError):
            visit.action_plan_next_visit()

    @freeze_time("2026-06-15 12:00:00")
    def test_visit_is_named_by_its_customer_and_time(self):
        """Calendar, kanban, list, breadcrumbs and many2one fields show "Customer · day time", in the
        reader's time zone and language; the reference stays the record's reference."""
        self.salesman.tz = "Asia/Shanghai"
        visit = self._visit(planned_start=datetime(2026, 6, 10, 1, 30))  # 09:30 in Shanghai
        last_year = self._visit(planned_start=datetime(2025, 12, 1, 6))
        as_salesman = (visit | last_year).with_user(self.salesman)
        self.assertEqual(as_salesman[0].display_name, "Visited Co · Jun 10 09:30 AM")
        self.assertEqual(as_salesman[1].display_name, "Visited Co · Dec 1, 2025 02:00 PM")
        self.assertRegex(visit.name, r"^VIS/")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.assertEqual(as_salesman[0].with_context(lang="zh_CN").display_name, "Visited Co · 6月10日 09:30")
        # found by its customer or by its reference, as a many2one field searches it
        for term in ("Visited", visit.name):
            self.assertIn(visit, self.Visit.search([("display_name", "ilike", term)]))
            self.assertIn(visit.id, [id_ for id_, _name in self.Visit.name_search(term)])

    def test_notes_are_required_to_mark_a_visit_done(self):
        """The error names the visit and its notes; the form and the log dialog require them."""
        visit = self._visit()
        with self.assertRaises(ValidationError) as error:
            visit.action_done()
        self.assertIn(f"Write the notes of visit {visit.display_name}", str(error.exception))
        with Form(visit) as form:
            self.assertFalse(form._get_modifier("notes", "required"))
        visit.notes = "<p>Agreed on a trial order.</p>"
        visit.action_done()
        with Form(visit) as form:
            self.assertTrue(form._get_modifier("notes", "required"))
        log = Form(self.env["customer.visit.log"].with_context(default_partner_id=self.customer.id))
        self.assertTrue(log._get_modifier("notes", "required"))

    def test_people_met_are_the_customers_contacts(self):
        """People Met offers the customer's contact persons, not the company itself."""
        for model in ("customer.visit", "customer.visit.log"):
            field = self.env[model]._fields["contact_ids"]
            domain = safe_eval(field.domain, {"partner_id": self.customer.id})
            self.assertEqual(self.env["res.partner"].search(domain), self.customer.child_ids, model)

    def test_visits_menu_lists_planned_visits_soonest_first(self):
        """The Visits menu opens on my planned visits, soonest first; a customer's visits (its
        Visits button) read back in time, most recent first."""
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_agenda_action")
        self.assertEqual(self.env.ref("customer_relationship.customer_visit_menu").action.id, action["id"])
        self.assertIn("'search_default_planned': 1", action["context"])
        views = {mode: view_id for view_id, mode in action["views"]}
        for mode in ("list", "kanban"):
            arch = self.Visit.get_views([(views[mode], mode)])["views"][mode]["arch"]
            self.assertIn('default_order="planned_start, id"', arch, mode)
        # elsewhere (a customer's Visits button, the analysis) the most recent visit comes first
        later, sooner = self._visit(planned_start=datetime(2026, 6, 20, 9)), self._visit()
        self.assertEqual(self.Visit.search([("id", "in", (later | sooner).ids)]).ids, [later.id, sooner.id])

    def test_visit_to_a_contact_counts_for_the_customer(self):
        contact = self.customer.child_ids
        visit = self._visit(partner_id=contact.id)
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.contact_ids, contact)
        self.assertEqual(self.customer.visit_count, 1)
        self.assertEqual(contact.visit_count, 1)

    def test_followups_become_activities_for_the_chosen_user(self):
        wizard = Form(
            self.env["customer.visit.log"].with_user(self.salesman).with_context(default_partner_id=self.customer.id)
        )
        wizard.visit_type = "phone"
        wizard.notes = "<p>The buyer complains about packaging.</p>"
        with wizard.followup_ids.new() as line:
            line.summary = "Send new packaging samples"
            line.date_deadline = date(2026, 7, 3)
            line.user_id = self.salesman_other
        wizard.save().action_log()
        visit = self.Visit.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.visit_type, "phone")
        activity = visit.activity_ids
        self.assertEqual(activity.summary, "Send new packaging samples")
        self.assertEqual(activity.user_id, self.salesman_other)
        self.assertEqual(activity.date_deadline, date(2026, 7, 3))
        todo = (
            self.env["mail.activity"].with_user(self.salesman_other).search([("user_id", "=", self.salesman_other.id)])
        )
        self.assertIn(activity, todo)
        # The colleague in charge of the follow-up can open the visit it comes from.
        self.assertEqual(visit.with_user(self.salesman_other).notes, visit.notes)

    @freeze_time("2026-06-15 12:00:00")
    def test_calendar_sync_both_ways(self):
        visit = self._visit(planned_start=datetime(2026, 6, 20, 9), duration=1.5)
        event = visit.calendar_event_id
        self.assertEqual(event.user_id, self.salesman)
        self.assertEqual((event.start, event.stop), (datetime(2026, 6, 20, 9), datetime(2026, 6, 20, 10, 30)))
        self.assertIn("Visited Co", event.name)
        self.assertFalse(visit.activity_ids, "The calendar event adds no meeting activity to the visit")

        visit.planned_start = datetime(2026, 6, 22, 14)
        self.assertEqual(event.start, datetime(2026, 6, 22, 14))

        event.write({"start": datetime(2026, 6, 23, 8), "stop": datetime(2026, 6, 23, 10)})
        self.assertEqual(visit.planned_start, datetime(2026, 6, 23, 8))
        self.assertEqual(visit.duration, 2)

        visit.action_cancel()
        self.assertFalse(visit.calendar_event_id)
        self.assertFalse(event.exists())

    def test_overdue_per_tier_interval(self):
        platinum, iron, never = self._create_customers("Platinum Co", "Iron Co", "Never Visited Co")
        for customer, tier in ((platinum, "platinum"), (iron, "iron"), (never, "gold")):
            customer.with_company(self.company).customer_tier_id = self.tiers[tier]
        with freeze_time("2026-05-01 10:00:00"):
            for customer in platinum | iron:
                self._visit(
                    partner_id=customer.id, planned_start=datetime(2026, 5, 1, 9), notes="<p>Met.</p>"
                ).action_done()
        with freeze_time("2026-05-10 10:00:00"):
            self._visit(partner_id=platinum.id, planned_start=datetime(2026, 6, 2, 9))
        Partner = self.env["res.partner"].with_company(self.company)
        with freeze_time("2026-05-20 12:00:00"):
            platinum, iron, never = Partner.browse((platinum | iron | never).ids)
            self.assertEqual(platinum.last_visit_date, date(2026, 5, 1))
            self.assertEqual(platinum.next_visit_date, date(2026, 6, 2))
            self.assertEqual(platinum.days_since_last_contact, 19)
            self.assertEqual(platinum.visit_due_date, date(2026, 5, 15))
            self.assertEqual(iron.visit_due_date, date(2026, 7, 30))
            self.assertEqual([platinum.visit_overdue, iron.visit_overdue, never.visit_overdue], [True, False, True])
            overdue = Partner.search([("visit_overdue", "=", True), ("id", "in", (platinum | iron | never).ids)])
            self.assertEqual(overdue, platinum | never)
            not_overdue = Partner.search([("visit_overdue", "=", False), ("id", "in", (platinum | iron | never).ids)])
            self.assertEqual(not_overdue, iron)
        with freeze_time("2026-05-15 12:00:00"):
            self.env.invalidate_all()  # computed for another day above
            self.assertFalse(Partner.browse(platinum.id).visit_overdue, "Due today is not overdue yet")

    @freeze_time("2026-06-10 12:00:00")
    def test_plan_wizard_spreads_and_skips(self):
        self.salesman.tz = "Asia/Shanghai"
        first, second, planned = self._create_customers("First Co", "Second Co", "Planned Co")
        self._visit(partner_id=planned.id, planned_start=datetime(2026, 6, 16, 2))
        wizard = (
            self.env["customer.visit.plan"]
            .with_user(self.salesman)
            .with_company(self.company)
            .create(
                {
                    "partner_ids": [Command.set((first | second | planned).ids)],
                    "date_from": date(2026, 6, 13),  # a Saturday: the weekend is skipped
                    "date_to": date(2026, 6, 19),
                    "max_per_day": 2,
                }
            )
        )
        wizard.action_preview()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(lines[planned].skip_reason, "Already has a planned visit (06/16/2026)")
        self.assertFalse(lines[planned].planned_start)
        # Two customers over five working days: the earliest working day takes both (at most two a
        # day), from when the working calendar starts the day, 8:00 in Shanghai (00:00 UTC), one
        # after the other.
        self.assertEqual(
            sorted(lines[p].planned_start for p in (first, second)),
            [datetime(2026, 6, 15, 0), datetime(2026, 6, 15, 1)],
        )
        self.assertFalse(self.Visit.search([("partner_id", "in", (first | second).ids)]), "A preview creates nothing")
        wizard.action_create_visits()
        visits = self.Visit.search([("partner_id", "in", (first | second).ids)])
        self.assertEqual(len(visits), 2)
        self.assertEqual(visits.user_id, self.salesman)
        self.assertTrue(all(visits.mapped("calendar_event_id")))

    def test_plan_wizard_reports_customers_without_slot(self):
        customers = self._create_customers("A Co", "B Co", "C Co")
        wizard = self.env["customer.visit.plan"].create(
            {
                "partner_ids": [Command.set(customers.ids)],
                "date_from": date(2026, 6, 15),
                "date_to": date(2026, 6, 15),
                "max_per_day": 2,
            }
        )
        wizard.action_preview()
        self.assertEqual(len(wizard.line_ids.filtered("planned_start")), 2)
        self.assertEqual(
            wizard.line_ids.filtered(lambda line: not line.planned_start).skip_reason,
            "No time left from 06/15/2026 to 06/15/2026",
        )
        with self.assertRaises(ValidationError):
            wizard.date_to = date(2026, 6, 1)

    def test_record_rules_per_group(self):
        own = self._visit()
        other = self._visit(partner_id=self.other_customer.id, user_id=self.salesman_other.id)
        # A colleague's visit on my customer is mine to see and follow.
        colleague_on_mine = self._visit(user_id=self.salesman_other.id)

        Visit = self.env["customer.visit"]
        self.assertEqual(Visit.with_user(self.salesman).search([]), own | colleague_on_mine)
        self.assertEqual(Visit.with_user(self.salesman_other).search([]), other | colleague_on_mine)
        with self.assertRaises(AccessError):
            other.with_user(self.salesman).read(["notes"])
        with self.assertRaises(AccessError):
            Visit.with_user(self.salesman).create(
                {"partner_id": self.other_customer.id, "user_id": self.salesman_other.id}
            )

        self.assertEqual(Visit.with_user(self.salesman_all).search([]), own | other | colleague_on_mine)
        with self.assertRaises(AccessError):
            own.with_user(self.salesman_all).write({"agenda": "<p>Not mine</p>"})

        other.with_user(self.manager).write({"agenda": "<p>Bring the catalogue</p>"})
        self.assertIn("catalogue", other.agenda)

        portal = self.env["res.users"].create(
            {"name": "Portal", "login": "cr_portal", "group_ids": [Command.set([self.env.ref("base.group_portal").id])]}
        )
        with self.assertRaises(AccessError):
            Visit.with_user(portal).search([])

    def test_multi_company(self):
        visit_eu = self.env["customer.visit"].create(
            {"partner_id": self.customer.id, "user_id": self.salesman.id, "company_id": self.company_eu.id}
        )
        self.assertNotIn(visit_eu, self.env["customer.visit"].with_user(self.salesman).search([]))
        with self.assertRaises(AccessError):
            visit_eu.with_user(self.salesman).read(["name"])
        self.assertFalse(self.customer.with_company(self.company).next_visit_date)
        self.assertTrue(self.customer.with_company(self.company_eu).next_visit_date)

    def test_customer_with_visits_cannot_be_deleted(self):
        self._visit(user_id=self.salesman_other.id)
        with self.assertRaises(UserError) as error:
            self.customer.unlink()
        self.assertRegex(str(error.exception), "Archive it instead")
        lonely = self._create_customers("Never Visited")
        lonely.child_ids.unlink()
        lonely.unlink()
        self.assertFalse(lonely.exists())

    @freeze_time("2026-06-15 12:00:00")
    def test_route_sheet_renders_the_day_plan(self):
        self.customer.write({"street": "88 Nanjing Road", "city": "Shanghai"})
        contact = self.customer.child_ids
        contact.function = "Chief Buyer"
        previous = self._visit(planned_start=datetime(2026, 6, 1, 9), notes="<p>Asked for a volume discount.</p>")
        previous.action_done()
        previous.activity_schedule(summary="Quote the volume discount", user_id=self.salesman.id)
        visit = self._visit(
            planned_start=datetime(2026, 6, 16, 2),
            agenda="<p>Present the discount offer</p>",
            contact_ids=[Command.set(contact.ids)],
        )
        html, _ = self.env["ir.actions.report"]._render_qweb_html(
            "customer_relationship.customer_visit_route_sheet_report", visit.ids
        )
        html = html.decode()
        for expected in (
            visit.name,
            "Visited Co",
            "88 Nanjing Road",
            "Buyer of Visited Co",
            "Chief Buyer",
            "Present the discount offer",
            "Quote the volume discount",
            "Asked for a volume discount.",
            self.salesman.name,
        ):
            self.assertIn(expected, html)


@tagged("post_install", "-at_install")
class TestCustomerVisitUi(HttpCase):
    def test_log_visit_tour(self):
        """From the customers kanban: log a visit with a follow-up, find it in the visits and activities."""
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Visit Co",
                "is_company": True,
                "customer_rank": 1,
                "user_id": self.env.ref("base.user_admin").id,
                "child_ids": [Command.create({"name": "Ms Tour Buyer", "type": "contact"})],
            }
        )
        # Customers without a tier sit in a folded column: classify the new one.
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.start_tour("/odoo", "customer_visit_tour", login="admin")
        visit = self.env["customer.visit"].search([("partner_id", "=", customer.id)])
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.activity_ids.summary, "Send the price list")
        self.assertEqual(visit.contact_ids.name, "Ms Tour Buyer")

    def test_visit_names_tour(self):
        """The Visits menu: planned visits soonest first, named by customer and time in the kanban,
        the list, the breadcrumbs and the calendar."""
        admin = self.env.ref("base.user_admin")
        # The names are in the user's time zone, the calendar places events in the browser's
        # (the test machine's, UTC): both UTC, so that today's visits are in this week's view.
        admin.tz = "UTC"
        customer = self.env["res.partner"].create(
            {"name": "Tour Agenda Co", "is_company": True, "customer_rank": 1, "user_id": admin.id}
        )

        def at(hour):  # today
            return datetime.combine(date.today(), time(hour))

        # the later one first, so that the order by id does not pass for the order by time
        self.env["customer.visit"].create(
            [
                {"partner_id": customer.id, "user_id": admin.id, "planned_start": at(15), "visit_type": "on_site"},
                {"partner_id": customer.id, "user_id": admin.id, "planned_start": at(9), "visit_type": "phone"},
            ]
        )
        self.start_tour("/odoo", "customer_visit_names_tour", login="admin")

    def test_settings_tour(self):
        """Configuration > Settings opens on the addon's own settings, which say what At Risk 0 means."""
        self.start_tour("/odoo", "customer_relationship_settings_tour", login="admin")
