from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from .customer_care_action import MAX_ATTEMPTS
from .customer_pool_reclaim import BATCH, QUIET

# The pool manager's digest names this many customers, then counts the rest.
DIGEST_NAMES = 50


class CustomerPool(models.Model):
    _inherit = "customer.pool"

    # ------------------------------------------------------------
    # What follows a customer into the pool (reclaim and release)
    # ------------------------------------------------------------

    @api.model
    def _after_pool_entry(self, company, moves, reason, note=None):
        """For customers that went into a pool (``moves``: (partner id, previous user id, pool
        id)): one chatter note each; the previous salesperson's scheduled care actions and planned
        visits on them in the company are cancelled (README, "Customer pool": whoever claims the
        customer plans their own), and so are the pool warnings; Odoo's salesperson of the customer
        is cleared where it was the previous one. In batches, each on its own savepoint."""
        for start in range(0, len(moves), BATCH):
            self._isolated(
                lambda batch: self._after_pool_entry_batch(company, batch, reason, note), moves[start : start + BATCH]
            )

    def _after_pool_entry_batch(self, company, moves, reason, note):
        # The pool's actions run for every salesperson's customers: the checks were made before
        # (the cron is the system; release checks the owner or a manager).
        env = self.sudo().with_context(**QUIET).env
        by_user = defaultdict(list)
        for partner_id, user_id, _pool_id in moves:
            by_user[user_id].append(partner_id)
        held = Domain.OR(
            Domain("partner_id", "in", partner_ids) & Domain("user_id", "=", user_id)
            for user_id, partner_ids in by_user.items()
        ) & Domain("company_id", "=", company.id)
        cancel_reason = env._("The customer went back to the customer pool.")
        care_actions = env["customer.care.action"].search(
            held
            & (
                Domain("state", "=", "scheduled")
                | (Domain("state", "=", "failed") & Domain("attempt_count", "<", MAX_ATTEMPTS))
            )
        )
        care_actions.write({"state": "skipped", "state_reason": cancel_reason})
        env["customer.visit"].search(held & Domain("state", "=", "planned")).write({"state": "cancelled"})
        warning_type = self.env.ref("customer_relationship.mail_activity_type_pool_warning")
        env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", [move[0] for move in moves]),
                ("activity_type_id", "=", warning_type.id),
            ]
        ).unlink()
        # Odoo's salesperson of the customer, where it was the previous one, in one statement: the
        # ORM's partner write syncs each partner's contacts one by one, and nothing is tracked here.
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE res_partner SET user_id = NULL, write_uid = %(uid)s, write_date = %(now)s
                     FROM unnest(%(partners)s::int[], %(users)s::int[]) AS moved(partner_id, user_id)
                    WHERE res_partner.id = moved.partner_id AND res_partner.user_id = moved.user_id""",
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partners=[move[0] for move in moves],
                users=[move[1] for move in moves],
            )
        )
        self.env["res.partner"].invalidate_model(["user_id", "write_uid", "write_date"])
        partners = env["res.partner"].browse([move[0] for move in moves])
        self._log_pool_entries(company, partners, moves, reason, note)

    def _log_pool_entries(self, company, partners, moves, reason, note):
        pools = self.browse({move[2] for move in moves}).with_context(active_test=False)
        users = self.env["res.users"].browse({move[1] for move in moves if move[1]})
        names = dict(zip(users.ids, users.mapped("name"), strict=True))
        bodies = {}
        for partner_id, user_id, pool_id in moves:
            if reason == "reclaim":
                text = self.env._(
                    "Reclaimed into the customer pool %(pool)s of %(company)s: %(user)s did not contact the customer "
                    "within the pool rule's delay. Its planned visits and scheduled care actions were cancelled.",
                    pool=pools.browse(pool_id).name,
                    company=company.name,
                    user=names.get(user_id, ""),
                )
            else:
                text = self.env._(
                    "Released into the customer pool %(pool)s of %(company)s by %(user)s: %(reason)s",
                    pool=pools.browse(pool_id).name,
                    company=company.name,
                    user=self.env.user.name,
                    reason=note or "",
                )
            bodies[partner_id] = Markup("<p>%s</p>") % text
        self._log_notes(partners, bodies)

    def _log_notes(self, partners, bodies):
        """One internal note per customer, with the values of ``mail.thread._message_log_batch``
        but in one statement: creating thousands of messages through the ORM takes about a
        millisecond each, most of a reclaim run. Such a note notifies nobody."""
        Partner = self.env["res.partner"]
        author_id, email_from = Partner._message_compute_author(self.env.user.partner_id.id, None)
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from, author_id=author_id)[False]
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """INSERT INTO mail_message
                          (model, res_id, body, message_type, subtype_id, is_internal, author_id, email_from,
                           reply_to, message_id, email_add_signature, date,
                           create_uid, write_uid, create_date, write_date)
                   SELECT 'res.partner', note.res_id, note.body, 'notification', %(subtype)s, TRUE, %(author)s,
                          %(email_from)s, %(reply_to)s, %(message_id)s, FALSE, %(now)s,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM unnest(%(res_ids)s::int[], %(bodies)s::text[]) AS note(res_id, body)""",
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from,
                reply_to=reply_to,
                message_id=generate_tracking_message_id("message-notify"),
                now=now,
                uid=self.env.uid,
                res_ids=list(bodies),
                bodies=[str(body) for body in bodies.values()],
            )
        )
        self.env["mail.message"].invalidate_model()
        partners.invalidate_recordset(["message_ids"])

    @api.model
    def _send_digests(self, company, moves):
        """One message per pool to its manager: the customers reclaimed today, by previous salesperson."""
        by_pool = defaultdict(list)
        for partner_id, user_id, pool_id in moves:
            by_pool[pool_id].append((partner_id, user_id))
        for pool in self.browse(list(by_pool)).with_context(active_test=False):
            if not pool.manager_id:
                continue
            pool_env = pool.with_context(lang=pool.manager_id.lang or self.env.lang)
            entries = by_pool[pool.id]
            partners = self.env["res.partner"].browse([partner_id for partner_id, _user in entries[:DIGEST_NAMES]])
            users = self.env["res.users"].browse({user_id for _partner, user_id in entries if user_id})
            lines = Markup().join(
                Markup("<li>%s (%s)</li>") % (partner.name, users.browse(user_id).name or "")
                for partner, (_partner_id, user_id) in zip(partners, entries, strict=False)
            )
            more = len(entries) - len(partners)
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                pool_env.env._("%(count)s customers went back to the pool today:", count=len(entries)),
                lines,
            )
            if more > 0:
                body += Markup("<p>%s</p>") % pool_env.env._("and %(count)s more.", count=more)
            # The digest is the system's message to the pool manager, who follows the pool.
            pool_env.sudo().message_post(
                body=body,
                subject=pool_env.env._("Customer pool %(pool)s: customers reclaimed", pool=pool.name),
                partner_ids=pool.manager_id.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
