import textwrap
from collections import Counter, defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date
from odoo.tools.mail import html_to_inner_content

from ..models.customer_care_action import MAX_ATTEMPTS
from ..models.notification import notify_and_close

MANAGER_GROUP = "customer_relationship.group_customer_relationship_manager"
# The handover note lists this many last done visits and open follow-ups per customer.
NOTE_LAST_VISITS = 3
NOTE_FOLLOWUPS = 5
NOTE_VISIT_CHARS = 120
# Everything the handover writes at once: no tracking message nor assignment e-mail per record
# (the handover note on each customer tells instead), no calendar sync per visit (done in one go).
QUIET = {
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "mail_activity_quick_update": True,
    "customer_visit_calendar_sync": True,
    "dont_notify": True,
    "skip_attendee_notification": True,
}


class CustomerHandover(models.TransientModel):
    _name = "customer.handover"
    _description = "Hand Over Customers"

    # What and to whom
    from_user_id = fields.Many2one(
        "res.users",
        string="Current Salesperson",
        domain="[('share', '=', False)]",
        help="Hand over the customers of this salesperson: all of them when no customer is chosen.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_handover_res_partner_rel",
        string="Customers",
        default=lambda self: self._default_partners(),
        domain="[('parent_id', '=', False)]"
        " + ([('customer_account_user_id', '=', from_user_id)] if from_user_id else [])",
        help="Contacts stand for their company. With a current salesperson, only that salesperson's "
        "customers among them are handed over.",
    )
    to_user_id = fields.Many2one("res.users", string="New Salesperson", required=True, domain="[('share', '=', False)]")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
        help="The customers' accounts in this company move: their salesperson here, their planned visits, "
        "scheduled care actions and open activities. Their accounts in other companies keep their salesperson.",
    )

    # What moves, shown before applying
    customer_count = fields.Integer(string="Customers to Hand Over", compute="_compute_counts")
    visit_count = fields.Integer(string="Planned Visits", compute="_compute_counts")
    care_action_count = fields.Integer(
        string="Scheduled Care Actions",
        compute="_compute_counts",
        help="Scheduled, or failed and still to be tried again.",
    )
    activity_count = fields.Integer(string="Open Activities", compute="_compute_counts")

    @api.model
    def _default_partners(self):
        if self.env.context.get("active_model") == "res.partner" and self.env.context.get("active_ids"):
            return self.env["res.partner"].browse(self.env.context["active_ids"]).commercial_partner_id
        return self.env["res.partner"]

    @api.depends("from_user_id", "partner_ids", "to_user_id", "company_id")
    def _compute_counts(self):
        for wizard in self:
            in_company = wizard.with_company(wizard.company_id)
            domains = in_company._handover_domains(in_company._handover_customers())
            wizard.customer_count = domains["customers"]
            wizard.visit_count = in_company.env["customer.visit"].search_count(domains["customer.visit"])
            wizard.care_action_count = in_company.env["customer.care.action"].search_count(
                domains["customer.care.action"]
            )
            # Activities are searched in sudo: see _apply.
            wizard.activity_count = in_company.env["mail.activity"].sudo().search_count(domains["mail.activity"])

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only customer relationship managers can hand customers over."))
        wizard = self.with_company(self.company_id)
        wizard._check_handover()
        customers = wizard._handover_customers()
        if not customers:
            raise UserError(self.env._("There is no customer to hand over."))
        wizard._apply(customers)
        return notify_and_close(
            self.env._("1 customer handed over to %(user)s.", user=self.to_user_id.name)
            if len(customers) == 1
            else self.env._(
                "%(count)s customers handed over to %(user)s.", count=len(customers), user=self.to_user_id.name
            )
        )

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    def _check_handover(self):
        if self.from_user_id == self.to_user_id:
            raise UserError(self.env._("Hand the customers over to another salesperson."))
        if not self.to_user_id._is_internal():
            raise UserError(
                self.env._("%(user)s is not an internal user and cannot be a salesperson.", user=self.to_user_id.name)
            )
        if self.company_id not in self.to_user_id.company_ids:
            raise UserError(
                self.env._(
                    "%(user)s has no access to %(company)s: the visits handed over would be out of their reach.",
                    user=self.to_user_id.name,
                    company=self.company_id.name,
                )
            )

    def _handover_customers(self):
        """The commercial partners handed over, with the figures of the handover note fetched for
        the wizard's company: the chosen ones (of the current salesperson if set), else all the
        current salesperson's customers; never those the new salesperson already has."""
        partners = self.env["res.partner"].with_company(self.company_id)
        if not self.partner_ids and not self.from_user_id:
            return partners
        domain = Domain("parent_id", "=", False) | Domain("is_company", "=", True)
        if self.partner_ids:
            domain &= Domain("id", "in", self.partner_ids.commercial_partner_id.ids)
        if self.from_user_id:
            domain &= Domain("customer_account_user_id", "=", self.from_user_id.id)
        if self.to_user_id:
            domain &= Domain("customer_account_user_id", "!=", self.to_user_id.id)
        return partners.search_fetch(
            domain,
            [
                "name",
                "user_id",
                "customer_account_user_id",
                "customer_tier_id",
                "customer_value",
                "customer_margin_rate",
                "relationship_level",
            ],
            order="id",
        )

    def _handover_domains(self, customers):
        """What moves, per model: what each customer's current salesperson holds on it. A contact
        follows its company; a visit, care action or activity held by someone else stays theirs."""
        by_user = customers.grouped("customer_account_user_id")

        def held(partner_field, users=lambda user: [user.id]):
            return Domain.OR(
                Domain(partner_field, "in", group.ids) & Domain("user_id", "in", users(user))
                for user, group in by_user.items()
            )

        in_company = Domain("company_id", "=", self.company_id.id)
        visits = Domain("state", "=", "planned") & in_company & held("partner_id")
        # The care engine still carries these out, for their responsible.
        pending_care = Domain("state", "=", "scheduled") | (
            Domain("state", "=", "failed") & Domain("attempt_count", "<", MAX_ATTEMPTS)
        )
        activity_targets = Domain.OR(
            Domain("user_id", "=", user.id)
            & (
                (
                    Domain("res_model", "=", "res.partner")
                    & Domain(
                        "res_id",
                        "in",
                        self.env["res.partner"]._search(Domain("commercial_partner_id", "in", group.ids)),
                    )
                )
                | (
                    Domain("res_model", "=", "customer.visit")
                    & Domain(
                        "res_id",
                        "in",
                        self.env["customer.visit"]._search(in_company & Domain("partner_id", "in", group.ids)),
                    )
                )
            )
            for user, group in by_user.items()
        )
        return {
            "customers": len(customers),
            # Contacts without a salesperson of their own follow their company too.
            "res.partner": held("commercial_partner_id", lambda user: [user.id, False]),
            "customer.visit": visits,
            "customer.care.action": pending_care & in_company & held("partner_id"),
            "mail.activity": activity_targets,
        }

    def _apply(self, customers):
        """One write per model, then one handover note per customer. Record rules and access rights
        were checked against the manager; see the comments for what runs in sudo and why."""
        to_user = self.to_user_id
        domains = self._handover_domains(customers)
        # Salespeople's customers: a sales manager may not write partners in Odoo 19, yet moving
        # them is what this manager-only wizard is for (checked in action_apply).
        partners = self.env["res.partner"].sudo().search_fetch(domains["res.partner"], ["commercial_partner_id"])
        visits = self.env["customer.visit"].search_fetch(domains["customer.visit"], ["partner_id", "calendar_event_id"])
        care_actions = self.env["customer.care.action"].search_fetch(domains["customer.care.action"], ["partner_id"])
        # Open activities live on documents the manager may read but not write (partners): moving
        # them to the new salesperson is the point of the wizard.
        activities = self.env["mail.activity"].sudo().search_fetch(domains["mail.activity"], ["res_model", "res_id"])
        moved = self._moved_per_customer(visits, care_actions, activities)
        old_users = {customer.id: customer.customer_account_user_id for customer in customers}

        # The customer's account in the wizard's company gets the new salesperson (the other
        # companies' accounts keep theirs); the partner's own salesperson, which Odoo's sales
        # documents propose, moves with it (in sudo: see the partners above), without taking the
        # other companies' accounts along (customer_account_keep_owner).
        # (The accounts in sudo, as the partners: a manager reads accounts, only the wizard moves them.)
        Account = self.env["customer.account"].sudo()
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """INSERT INTO customer_account AS account
                          (partner_id, company_id, user_id, relationship_level, owner_date,
                           create_uid, write_uid, create_date, write_date)
                   SELECT customer_id, %(company)s, %(user)s, 'basic', %(today)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM unnest(%(customers)s::int[]) AS customer_id
              ON CONFLICT (partner_id, company_id) DO UPDATE
                      SET user_id = EXCLUDED.user_id, owner_date = EXCLUDED.owner_date, customer_pool_id = NULL,
                          pool_entry_date = NULL, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date""",
                company=self.company_id.id,
                user=to_user.id,
                today=fields.Date.context_today(self),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                customers=customers.ids,
            )
        )
        # The salesperson history of every customer handed over (README, "Customer pool"), at once.
        self.env.execute_query(
            SQL(
                """INSERT INTO customer_owner_history
                          (partner_id, company_id, date, old_user_id, new_user_id, user_id, reason, by_user_id,
                           create_uid, write_uid, create_date, write_date)
                   SELECT customer_id, %(company)s, %(now)s, old_user_id, %(user)s, %(user)s, 'handover', %(uid)s,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM unnest(%(customers)s::int[], %(old_users)s::int[]) AS moved(customer_id, old_user_id)""",
                company=self.company_id.id,
                user=to_user.id,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                customers=customers.ids,
                old_users=[old_users[customer.id].id or None for customer in customers],
            )
        )
        Account.invalidate_model(
            ["user_id", "owner_date", "customer_pool_id", "pool_entry_date", "write_uid", "write_date"]
        )
        self.env["customer.owner.history"].invalidate_model()
        self.env["customer.pool"]._refresh_company_dates(
            self.company_id,
            Account.search([("partner_id", "in", customers.ids), ("company_id", "=", self.company_id.id)]),
        )
        self.env["res.partner"].invalidate_model(["customer_account_user_id"])
        partners.with_context(**QUIET, customer_account_keep_owner=True).write({"user_id": to_user.id})
        team = self.env["crm.team"]._get_default_team_id(user_id=to_user.id)
        visits.with_context(**QUIET).write({"user_id": to_user.id, "team_id": team.id})
        self._move_calendar_events(visits.calendar_event_id)
        care_actions.with_context(**QUIET).write({"user_id": to_user.id})
        activities.with_context(**QUIET).write({"user_id": to_user.id})
        customers._message_log_batch(
            bodies=self._handover_notes(customers, old_users, moved),
            subject=self.env._("Handover to %(user)s", user=to_user.name),
            author_id=self.env.user.partner_id.id,
            message_type="comment",
        )

    def _move_calendar_events(self, events):
        """The visits' calendar events go to the new salesperson's calendar, as when a visit is
        saved (see customer.visit._calendar_event_values), in one write instead of one per visit."""
        # The events are the visits' own: the manager moved the visits and the old salesperson's
        # calendar privacy must not stop their events from following.
        events = events.sudo().with_context(**QUIET)
        partner = self.to_user_id.partner_id
        # Removing an attendee unsubscribes it event by event (calendar.attendee.unlink): done here
        # for all the events at once, with the attendees read in one go, it finds nothing left to do.
        events.message_unsubscribe(partner_ids=(events.attendee_ids.partner_id - partner).ids)
        # calendar.event computes the attendees to add over all the events at once: those where
        # the new salesperson attends already are written apart.
        attending = events.filtered(lambda event: partner in event.partner_ids)
        for group in (attending, events - attending):
            if group:
                group.write({"user_id": self.to_user_id.id, "partner_ids": [Command.set(partner.ids)]})

    def _moved_per_customer(self, visits, care_actions, activities):
        """{customer id: Counter of the planned visits, care actions and activities that move}."""
        moved = defaultdict(Counter)
        for visit in visits:
            moved[visit.partner_id.id]["visits"] += 1
        for action in care_actions:
            moved[action.partner_id.id]["care_actions"] += 1
        for customer_id in self._activity_customers(activities).values():
            moved[customer_id]["activities"] += 1
        return moved

    def _activity_customers(self, activities):
        """{activity: customer id} of activities on customers, their contacts or their visits."""
        by_model = activities.grouped("res_model")
        # The activities were read in sudo (see _apply); so are the contacts they are on.
        partners = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                [("id", "in", by_model.get("res.partner", activities.browse()).mapped("res_id"))],
                ["commercial_partner_id"],
            )
        )
        visits = self.env["customer.visit"].search_fetch(
            [("id", "in", by_model.get("customer.visit", activities.browse()).mapped("res_id"))], ["partner_id"]
        )
        customers = {("res.partner", partner.id): partner.commercial_partner_id.id for partner in partners} | {
            ("customer.visit", visit.id): visit.partner_id.id for visit in visits
        }
        return {activity: customers.get((activity.res_model, activity.res_id)) for activity in activities}

    def _handover_notes(self, customers, old_users, moved):
        """{customer id: body of its handover note}, from data fetched for all customers at once,
        rendered by the template ``customer_handover_note`` in the manager's language."""
        Visit = self.env["customer.visit"]
        last_visits = Visit._last_done_visits(customers, self.company_id, NOTE_LAST_VISITS)
        # Read in sudo like the activities moved in _apply: the follow-ups of the customers' visits.
        followups = Visit.sudo()._open_followups(customers, self.company_id)
        level_labels = dict(self.env["res.partner"]._fields["relationship_level"]._description_selection(self.env))
        currency = self.company_id.currency_id
        to_user = self.to_user_id
        QWeb = self.env["ir.qweb"]
        bodies = {}
        for customer in customers:
            counts = moved.get(customer.id, Counter())
            target = customer.target_relationship_level
            facts = [
                self.env._(
                    "Tier in %(company)s: %(tier)s, value %(value)s",
                    company=self.company_id.name,
                    tier=customer.customer_tier_id.name or self.env._("none"),
                    value=format_amount(self.env, customer.customer_value, currency),
                ),
                self.env._(
                    "Relationship level: %(level)s (target: %(target)s)",
                    level=level_labels[customer.relationship_level or "basic"],
                    target=level_labels[target] if target else self.env._("none"),
                ),
                self.env._(
                    "Moved to %(user)s: planned visits %(visits)s, scheduled care actions %(actions)s, "
                    "open activities %(activities)s",
                    user=to_user.name,
                    visits=counts["visits"],
                    actions=counts["care_actions"],
                    activities=counts["activities"],
                ),
            ]
            visit_lines = [
                self.env._(
                    "%(date)s: %(notes)s",
                    date=format_date(self.env, visit.done_date),
                    notes=textwrap.shorten(html_to_inner_content(visit.notes), NOTE_VISIT_CHARS, placeholder=" …"),
                )
                for visit in last_visits[customer.id]
            ]
            followup_lines = [
                self.env._(
                    "%(deadline)s: %(summary)s (%(user)s)",
                    deadline=format_date(self.env, activity.date_deadline),
                    summary=activity.summary or activity.activity_type_id.name,
                    user=activity.user_id.name or "",
                )
                for activity in followups[customer.id][:NOTE_FOLLOWUPS]
            ]
            bodies[customer.id] = QWeb._render(
                "customer_relationship.customer_handover_note",
                {
                    "intro": self.env._(
                        "Handed over from %(old)s to %(new)s by %(manager)s; "
                        "the history below stays with the customer.",
                        old=old_users[customer.id].name or self.env._("no salesperson"),
                        new=to_user.name,
                        manager=self.env.user.name,
                    ),
                    "facts": facts,
                    "visit_lines": visit_lines,
                    "followup_lines": followup_lines,
                },
            )
        return bodies
