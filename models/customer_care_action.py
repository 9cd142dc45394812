import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .customer_care_rule import CARE_ACTIONS, LEVEL_KEYS

_logger = logging.getLogger(__name__)

CARE_STATES = [("scheduled", "Scheduled"), ("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")]
# Not carried out yet, or to be tried again: what an event may still close.
OPEN_STATES = ("scheduled", "failed")
# A failed action is tried again on the following days, at most this many times in all.
MAX_ATTEMPTS = 3


class CustomerCareAction(models.Model):
    _name = "customer.care.action"
    _description = "Customer Care Action"
    _order = "due_date desc, id desc"
    _rec_name = "rule_id"

    rule_id = fields.Many2one("customer.care.rule", string="Care Rule", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    trigger = fields.Selection(related="rule_id.trigger")
    action = fields.Selection(CARE_ACTIONS, required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    contact_id = fields.Many2one(
        "res.partner", string="Contact Person", index="btree_not_null", ondelete="cascade", help="Whose event it is."
    )
    customer_tier_id = fields.Many2one(related="partner_id.customer_tier_id", string="Tier")
    occurrence_date = fields.Date(required=True, readonly=True, help="Date of the event the action is for.")
    due_date = fields.Date(required=True, index=True)
    user_id = fields.Many2one("res.users", string="Responsible", index=True)
    state = fields.Selection(CARE_STATES, required=True, default="scheduled", readonly=True, index=True)
    state_reason = fields.Text(string="Reason", readonly=True, help="Why the action was skipped or failed.")
    attempt_count = fields.Integer(readonly=True)
    last_attempt_date = fields.Date(readonly=True)
    executed_date = fields.Datetime(
        string="Carried Out On", readonly=True, help="When the activity or visit was created, or the message sent."
    )
    # Indexed: completing or deleting an activity, visit or message looks its care action up.
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null", index="btree_not_null")
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null", index="btree_not_null")
    sms_id = fields.Many2one("sms.sms", string="SMS", readonly=True, ondelete="set null", index="btree_not_null")
    visit_id = fields.Many2one("customer.visit", readonly=True, ondelete="set null", index="btree_not_null")

    # What makes the engine idempotent: one action per rule, customer, person and event.
    _unique_occurrence = models.UniqueIndex(
        "(rule_id, partner_id, COALESCE(contact_id, 0), occurrence_date)",
        "A care rule acts only once on the same event of the same customer.",
    )
    # The engine takes the actions still to carry out in id order, a batch at a time.
    _pending_idx = models.Index("(id) WHERE executed_date IS NULL AND state IN ('scheduled', 'failed')")

    @api.depends("rule_id", "partner_id", "contact_id")
    def _compute_display_name(self):
        for action in self:
            action.display_name = f"{action.rule_id.name} - {(action.contact_id or action.partner_id).display_name}"

    @api.model
    def _pending_domain(self, today):
        """Actions the engine still has to carry out today: activities and visits as soon as they
        exist (they are due later), messages on their due date; failed ones again the next day."""
        return [
            ("executed_date", "=", False),
            ("state", "in", ("scheduled", "failed")),
            ("attempt_count", "<", MAX_ATTEMPTS),
            ("rule_id.active", "=", True),
            "|",
            ("action", "in", ("activity", "visit")),
            ("due_date", "<=", today),
            "|",
            ("last_attempt_date", "=", False),
            ("last_attempt_date", "<", today),
        ]

    @api.model
    def _resolution_table(self):
        """What closes an open care action before its work is done: per event, ``state`` (done: its
        purpose was reached another way; skipped: its reason is gone), the ``triggers`` it closes
        (None: all), the ``reason`` recorded (in the context's language), ``cancel_visits`` (the
        visit it planned is cancelled too) and ``condition``: SQL over the action ``a``, its
        ``rule``, customer ``p``, contact person ``person``, the customer's current ``tier`` and
        the company's time zone ``tz``, true when the event has happened. The README's "Care rules"
        shows the table; another addon adds a row by extending the dict."""
        tz = SQL("COALESCE(cal.tz, 'UTC')")
        return {
            "contact": {
                "state": "done",
                "triggers": ("cadence",),
                "reason": self.env._("Resolved: contact logged"),
                "cancel_visits": False,
                # A done visit or logged contact from which the tier's interval now ends after the
                # action's date: the customer is no longer overdue for that date.
                "condition": SQL(
                    """EXISTS (SELECT 1 FROM customer_visit visit
                                WHERE visit.partner_id = a.partner_id AND visit.company_id = a.company_id
                                  AND visit.state = 'done'
                                  AND (visit.done_date AT TIME ZONE 'UTC' AT TIME ZONE %s)::date
                                      + tier.visit_interval_days > a.occurrence_date)""",
                    tz,
                ),
            },
            "order": {
                "state": "done",
                "triggers": ("dormancy",),
                "reason": self.env._("Resolved: order placed"),
                "cancel_visits": False,
                # An order confirmed after the last order of the inactive spell ends the spell.
                "condition": SQL(
                    """EXISTS (SELECT 1 FROM sale_order so JOIN res_partner buyer ON buyer.id = so.partner_id
                                WHERE buyer.commercial_partner_id = a.partner_id AND so.company_id = a.company_id
                                  AND so.state = 'sale'
                                  AND (so.date_order AT TIME ZONE 'UTC' AT TIME ZONE %s)::date > a.occurrence_date)""",
                    tz,
                ),
            },
            "level": {
                "state": "done",
                "triggers": ("relationship_gap",),
                "reason": self.env._("Resolved: relationship level reached"),
                "cancel_visits": False,
                "condition": SQL(
                    """array_position(%(levels)s::varchar[], COALESCE(account.relationship_level, 'basic'))
                       >= array_position(%(levels)s::varchar[], tier.target_relationship_level::varchar)""",
                    levels=LEVEL_KEYS,
                ),
            },
            "lost": {
                "state": "skipped",
                "triggers": None,
                "reason": self.env._("Cancelled: customer marked as lost"),
                "cancel_visits": True,
                "condition": SQL("account.loss_date IS NOT NULL"),
            },
            "archived": {
                "state": "skipped",
                "triggers": None,
                "reason": self.env._("Cancelled: customer or contact person archived"),
                "cancel_visits": True,
                "condition": SQL("(NOT p.active OR NOT COALESCE(person.active, TRUE))"),
            },
            "rule_archived": {
                "state": "skipped",
                "triggers": None,
                "reason": self.env._("Cancelled: care rule archived"),
                # The visits it planned may have been agreed with the customer: they stay.
                "cancel_visits": False,
                "condition": SQL("NOT rule.active"),
            },
        }

    def action_mark_done(self):
        if any(action.state != "scheduled" for action in self):
            raise UserError(self.env._("Only scheduled care actions can be marked done."))
        self.write({"state": "done"})

    def action_skip(self):
        if any(action.state not in ("scheduled", "failed") for action in self):
            raise UserError(self.env._("Only scheduled or failed care actions can be skipped."))
        self.write({"state": "skipped", "state_reason": self.env._("Skipped by %(user)s", user=self.env.user.name)})

    def action_retry(self):
        if any(action.state != "failed" for action in self):
            raise UserError(self.env._("Only failed care actions can be tried again."))
        self.write({"state": "scheduled", "attempt_count": 0, "last_attempt_date": False, "state_reason": False})

    # ------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------

    def _execute(self, today):
        """Carry out a batch of actions. The batch runs in one go; if anything fails, each action
        is run on its own so that only the faulty ones end up failed."""
        try:
            with self.env.cr.savepoint():
                self._execute_batch(today)
        except Exception:
            for action in self:
                try:
                    with self.env.cr.savepoint():
                        action._execute_batch(today)
                except Exception as error:
                    _logger.info("Care action %s failed: %s", action.id, error)
                    action.write(
                        {
                            "state": "failed",
                            "state_reason": str(error),
                            "attempt_count": action.attempt_count + 1,
                            "last_attempt_date": today,
                        }
                    )

    def _execute_batch(self, today):
        by_kind = defaultdict(lambda: self.browse())
        for action in self:
            by_kind[action.action] |= action
        if by_kind["activity"]:
            by_kind["activity"]._create_activities(today)
        if by_kind["visit"]:
            by_kind["visit"]._plan_visits()
        for kind in ("email", "sms"):
            if by_kind[kind]:
                by_kind[kind]._send_messages(kind)
        # One statement: the ORM flushes this write in chunks of a hundred rows.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE customer_care_action SET last_attempt_date = %(today)s, write_uid = %(uid)s,
                          write_date = %(now)s
                    WHERE id = ANY(%(ids)s) AND last_attempt_date IS DISTINCT FROM %(today)s""",
                today=today,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                ids=self.ids,
            )
        )
        self.invalidate_recordset(["last_attempt_date", "write_uid", "write_date"])

    def _check_responsible(self):
        missing = self.filtered(lambda action: not action.user_id)
        if missing:
            raise UserError(
                self.env._(
                    "Nobody is responsible for %(customer)s under care rule %(rule)s: set a fallback user on the rule.",
                    customer=missing[0].partner_id.display_name,
                    rule=missing[0].rule_id.name,
                )
            )

    def _in_responsible_lang(self):
        """The action as its responsible reads it: the rule's title and instructions in their language."""
        return self.with_context(lang=self.user_id.lang or self.env.lang)

    def _title(self):
        title = self.rule_id.summary or self.rule_id.name
        return f"{title}: {self.contact_id.name}" if self.contact_id else title

    def _create_activities(self, today=None):
        """One activity per action on its customer, for its responsible, titled and described in
        the responsible's language: one statement for the whole batch (the first run over a
        backlog creates 100,000 of them; mail.activity's create() takes a millisecond each).
        ``today``: the day of the attempt, recorded on the actions in the same statement."""
        self._check_responsible()
        self.env.flush_all()
        now = fields.Datetime.now()

        def translated(column):
            # as the ORM reads a translated field: the language's value, else the English one
            return SQL("COALESCE(%s->>lang.code, %s->>'en_US')", column, column)

        rows = self.env.execute_query(
            SQL(
                """WITH planned AS MATERIALIZED (
                       SELECT action.id AS action_id, nextval('mail_activity_id_seq') AS activity_id,
                              action.partner_id, action.user_id, action.due_date, rule.activity_type_id,
                              COALESCE(NULLIF(%(summary)s, ''), %(name)s)
                                  || CASE WHEN contact.id IS NOT NULL THEN ': ' || contact.name ELSE '' END AS summary,
                              %(note)s AS note, customer.complete_name AS res_name, responsible.tz
                         FROM customer_care_action action
                         JOIN customer_care_rule rule ON rule.id = action.rule_id
                         JOIN res_partner customer ON customer.id = action.partner_id
                    LEFT JOIN res_partner contact ON contact.id = action.contact_id
                         JOIN res_users users ON users.id = action.user_id
                         JOIN res_partner responsible ON responsible.id = users.partner_id
                   CROSS JOIN LATERAL (SELECT COALESCE(responsible.lang, %(lang)s) AS code) lang
                        WHERE action.id = ANY(%(action_ids)s)),
                   activities AS (
                       INSERT INTO mail_activity (id, res_model_id, res_model, res_id, res_name, activity_type_id,
                                                  summary, note, date_deadline, user_id, user_tz, automated, active,
                                                  create_uid, write_uid, create_date, write_date)
                       SELECT activity_id, %(model_id)s, 'res.partner', partner_id, res_name, activity_type_id,
                              summary, note, due_date, user_id, tz, TRUE, TRUE, %(uid)s, %(uid)s, %(now)s, %(now)s
                         FROM planned)
                   UPDATE customer_care_action action
                      SET activity_id = planned.activity_id, executed_date = %(now)s, state = 'scheduled',
                          state_reason = NULL, write_uid = %(uid)s, write_date = %(now)s,
                          last_attempt_date = COALESCE(%(today)s, action.last_attempt_date)
                     FROM planned
                    WHERE action.id = planned.action_id
                RETURNING action.user_id, action.due_date""",
                summary=translated(SQL("rule.summary")),
                name=translated(SQL("rule.name")),
                note=translated(SQL("rule.note")),
                lang=self.env.lang or "en_US",
                action_ids=self.ids,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                uid=self.env.uid,
                now=now,
                today=today,
            )
        )
        self.invalidate_recordset(
            ["activity_id", "executed_date", "state", "state_reason", "write_uid", "write_date", "last_attempt_date"]
        )
        self.env["mail.activity"].invalidate_model()
        self.env["res.partner"].invalidate_model(["activity_ids"])
        # What mail.activity's create() does besides: the responsible follows the customer (with
        # the default subtypes, as message_subscribe() gives them; one statement, not one call
        # per responsible), and is told of the activities due already.
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes("res.partner")
        self.env.cr.execute(
            SQL(
                """WITH followers AS (
                       INSERT INTO mail_followers (res_model, res_id, partner_id)
                       SELECT DISTINCT 'res.partner', action.partner_id, users.partner_id
                         FROM customer_care_action action JOIN res_users users ON users.id = action.user_id
                        WHERE action.id = ANY(%(action_ids)s)
                           ON CONFLICT DO NOTHING
                    RETURNING id, partner_id)
                   INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                   SELECT followers.id, subtype
                     FROM followers JOIN res_partner follower ON follower.id = followers.partner_id
                    CROSS JOIN LATERAL unnest(CASE WHEN follower.partner_share THEN %(external)s::int[]
                                                   ELSE %(default)s::int[] END) AS subtype""",
                action_ids=self.ids,
                external=external.ids,
                default=default.ids,
            )
        )
        self.env["mail.followers"].invalidate_model()
        self.env["res.partner"].invalidate_model(["message_follower_ids", "message_partner_ids"])
        due = defaultdict(int)
        for user_id, due_date in rows:
            due[user_id] += due_date <= fields.Date.context_today(self)
        for user in self.env["res.users"].browse(user_id for user_id, count in due.items() if count):
            user._bus_send("mail.activity/updated", {"activity_created": True, "count_diff": due[user.id]})

    def _plan_visits(self):
        self._check_responsible()
        visits = self.env["customer.visit"]
        visits = visits.create(
            [
                {
                    "partner_id": action.partner_id.id,
                    "contact_ids": action.contact_id.ids,
                    "user_id": action.user_id.id,
                    "company_id": action.company_id.id,
                    # Ten in the morning, the salesperson's morning.
                    "planned_start": visits.with_context(tz=action.user_id.tz or "UTC")._to_utc(action.due_date, 10.0),
                    "agenda": action._in_responsible_lang().rule_id.note or action._in_responsible_lang()._title(),
                }
                for action in self
            ]
        )
        self._link_produced("visit_id", visits)

    def _link_produced(self, field, records, state="scheduled"):
        """Link each action to the activity, visit, e-mail or SMS made for it, in ``state``. A
        failed action carried out on a later attempt is scheduled again, until its activity or
        visit is done."""
        if len(self) != len(records):
            raise ValueError("one produced record per action")
        # One statement for the whole batch: the first run over a backlog links 100,000 actions.
        # Nothing of the model is computed from these fields; the ORM cache is invalidated below.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE customer_care_action action
                      SET %(field)s = produced.record_id, executed_date = %(now)s, state = %(state)s,
                          state_reason = NULL, write_uid = %(uid)s, write_date = %(now)s
                     FROM unnest(%(action_ids)s::int[], %(record_ids)s::int[]) AS produced(action_id, record_id)
                    WHERE action.id = produced.action_id""",
                field=SQL.identifier(field),
                state=state,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                action_ids=self.ids,
                record_ids=records.ids,
            )
        )
        self.invalidate_recordset([field, "executed_date", "state", "state_reason", "write_uid", "write_date"])

    def _send_messages(self, kind):
        """E-mails and SMS from the rules' templates to the contact person, else the customer.
        Opted-out customers, blacklisted and missing addresses are skipped with the reason."""
        sendable = self.browse()
        for action in self:
            recipient = action.contact_id or action.partner_id
            reason = action._skip_reason(recipient, kind)
            if reason:
                action.write({"state": "skipped", "state_reason": reason, "executed_date": fields.Datetime.now()})
            else:
                sendable |= action
        for rule, actions in sendable.grouped("rule_id").items():
            recipients = [(action.contact_id or action.partner_id).id for action in actions]
            if kind == "email":
                records = rule.mail_template_id.send_mail_batch(recipients)
                link = "mail_id"
            else:
                records = actions._create_sms(rule.sms_template_id, recipients)
                link = "sms_id"
            actions._link_produced(link, records, state="done")

    def _skip_reason(self, recipient, kind):
        opted_out = recipient if recipient.care_opt_out else self.partner_id if self.partner_id.care_opt_out else False
        if opted_out:
            return self.env._("%(name)s does not want automatic messages.", name=opted_out.display_name)
        if kind == "email":
            if not recipient.email_normalized:
                return self.env._("%(name)s has no e-mail address.", name=recipient.display_name)
            if recipient.is_blacklisted:
                return self.env._("The e-mail address of %(name)s is blacklisted.", name=recipient.display_name)
        else:
            if not recipient.phone_sanitized:
                return self.env._("%(name)s has no valid phone number.", name=recipient.display_name)
            if recipient.phone_sanitized_blacklisted:
                return self.env._("The phone number of %(name)s is blacklisted.", name=recipient.display_name)
        return False

    @api.model
    def _create_sms(self, template, recipient_ids):
        recipients = self.env["res.partner"].browse(recipient_ids)
        bodies = template._render_field("body", recipients.ids, compute_lang=True)
        # SMS records are a technical queue only the system writes; the rule's manager chose the template.
        return (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {"partner_id": partner.id, "number": partner.phone_sanitized, "body": bodies[partner.id]}
                    for partner in recipients
                ]
            )
        )

    def _mark_from_source(self, state, reason=False):
        """The activity, visit, e-mail or SMS of scheduled actions was done, cancelled or failed."""
        if state != "failed":
            self.filtered(lambda action: action.state == "scheduled").write({"state": state, "state_reason": reason})
            return
        # Sent, then refused by the mail or SMS gateway: tried again on a later run.
        for action in self:
            action.write(
                {
                    "state": "failed",
                    "state_reason": reason,
                    "executed_date": False,
                    "attempt_count": action.attempt_count + 1,
                }
            )

    # ------------------------------------------------------------
    # Resolution: open actions whose reason is gone
    # ------------------------------------------------------------

    @api.model
    def _resolve_for(self, event, partners=None, rules=None):
        """Close the open actions that ``event`` (a key of `_resolution_table`) resolved or
        cancelled, among those of ``partners`` (customers or contact persons) or of ``rules``;
        among all of them when neither is given (the daily safety net). One query per event.
        Returns the closed actions."""
        row = self._resolution_table()[event]
        filters = [SQL("a.state IN %s", OPEN_STATES), row["condition"]]
        if row["triggers"]:
            filters.append(SQL("rule.trigger IN %s", tuple(row["triggers"])))
        if partners is not None:
            if not partners:
                return self.browse()
            filters.append(SQL("(a.partner_id = ANY(%s) OR a.contact_id = ANY(%s))", partners.ids, partners.ids))
        if rules is not None:
            if not rules:
                return self.browse()
            filters.append(SQL("a.rule_id = ANY(%s)", rules.ids))
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT a.id
                     FROM customer_care_action a
                     JOIN customer_care_rule rule ON rule.id = a.rule_id
                     JOIN res_partner p ON p.id = a.partner_id
                LEFT JOIN res_partner person ON person.id = a.contact_id
                LEFT JOIN customer_account account ON account.partner_id = p.id AND account.company_id = a.company_id
                LEFT JOIN customer_tier tier ON tier.id = account.tier_id
                     JOIN res_company company ON company.id = a.company_id
                LEFT JOIN resource_calendar cal ON cal.id = company.resource_calendar_id
                    WHERE %s""",
                SQL(" AND ").join(filters),
            )
        )
        # The author of the event (a salesperson logging a visit) may not see the actions and
        # activities of other responsibles; closing them follows from the event, not from a choice.
        actions = self.sudo().browse(action_id for (action_id,) in rows)
        actions._close(event)
        return actions

    @api.model
    def _resolve_all(self, rules=None):
        """Every row of the table, set-based: what the hooks may have missed (an order imported,
        a partner archived in SQL, a rule run before a visit was logged)."""
        closed = self.browse()
        for event in self._resolution_table():
            closed |= self._resolve_for(event, rules=rules)
        return closed

    def _close(self, event):
        """Record the outcome and its reason in the responsible's language. A resolved action's
        activity is marked done with the reason as feedback; a cancelled one's is removed from the
        responsible's to-do; the planned visit goes too when the customer is not to be visited."""
        for lang, actions in self.grouped(lambda action: action.user_id.lang or self.env.lang or "en_US").items():
            actions = actions.with_context(lang=lang)
            row = actions._resolution_table()[event]
            actions.write({"state": row["state"], "state_reason": row["reason"]})
            activities = actions.activity_id.filtered("active")
            if row["state"] == "done":
                activities._action_done(feedback=row["reason"])
            else:
                activities.unlink()
            if row["cancel_visits"]:
                actions.visit_id.filtered(lambda visit: visit.state == "planned").action_cancel()
