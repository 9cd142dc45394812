import functools
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from .customer_account import ACCOUNT_PARTNER_FIELDS, ANALYZE_AFTER_ROWS

_logger = logging.getLogger(__name__)

# What goes with a customer into the pool is written at once: no tracking message nor e-mail per
# record (one chatter note per customer tells instead, one digest the pool manager).
QUIET = {
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "mail_activity_quick_update": True,
    "customer_account_keep_owner": True,
    "dont_notify": True,
}
# Activities and chatter notes are created this many at a time, each batch on its own savepoint.
BATCH = 1000
POOL_FIELDS = ["last_contact_date", "pool_reclaim_date", "pool_rule_id"]


class CustomerPool(models.Model):
    _inherit = "customer.pool"

    # ------------------------------------------------------------
    # Reclaim dates
    # ------------------------------------------------------------

    @api.model
    def _refresh_dates(self, companies, accounts=None, today=None):
        """Recompute the last contact, reclaim date and rule of the accounts of ``companies``
        (only ``accounts`` when given): one statement per company, writing changed rows only."""
        for company in companies:
            self._refresh_company_dates(company, accounts, today)

    @api.model
    def _refresh_company_dates(self, company, accounts=None, today=None):
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        only = accounts is not None
        ids = accounts.filtered(lambda account: account.company_id == company).ids if only else []
        if only and not ids:
            return
        # The rule that reclaims a customer: the most specific one that matches (a tier's rule
        # before an all-tier rule, a lifecycle's before any lifecycle), then the earliest date.
        # Delays count from the last contact (or order), or from the day the salesperson got the
        # customer when later: a customer just claimed gets the full delay.
        changed = self.env.execute_query(
            SQL(
                """
                WITH contact AS MATERIALIZED (
                    SELECT partner_id, MAX((done_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date) AS last_contact
                      FROM customer_visit
                     WHERE company_id = %(company)s AND state = 'done' AND done_date IS NOT NULL
                       AND (NOT %(only)s OR partner_id IN (SELECT partner_id FROM customer_account
                                                          WHERE id = ANY(%(ids)s)))
                  GROUP BY partner_id
                ), quoting AS MATERIALIZED (
                    SELECT DISTINCT partner.commercial_partner_id AS partner_id
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                     WHERE so.company_id = %(company)s AND so.state IN ('draft', 'sent')
                ), computed AS (
                    SELECT a.id, contact.last_contact, due.rule_id, due.reclaim_date
                      FROM customer_account a
                 LEFT JOIN contact ON contact.partner_id = a.partner_id
                 LEFT JOIN LATERAL (
                        SELECT rule.id AS rule_id,
                               GREATEST(
                                   GREATEST(contact.last_contact, COALESCE(a.owner_date, a.create_date::date))
                                       + rule.no_contact_days,
                                   CASE WHEN rule.no_order_days > 0
                                        THEN GREATEST(a.last_order_date, COALESCE(a.owner_date, a.create_date::date))
                                             + rule.no_order_days
                                   END
                               ) AS reclaim_date
                          FROM customer_pool_rule rule
                          JOIN customer_pool pool ON pool.id = rule.pool_id
                         WHERE pool.active AND rule.active AND pool.company_id = a.company_id
                           AND (rule.tier_id IS NULL OR rule.tier_id = a.tier_id)
                           AND (rule.lifecycle IS NULL OR rule.lifecycle = a.lifecycle)
                           AND a.user_id IS NOT NULL AND a.customer_pool_id IS NULL
                           AND NOT COALESCE(a.tier_locked, FALSE)
                           AND NOT EXISTS (SELECT 1 FROM quoting WHERE quoting.partner_id = a.partner_id)
                      ORDER BY rule.tier_id IS NULL, rule.lifecycle IS NULL, 2, rule.sequence, rule.id
                         LIMIT 1
                    ) due ON TRUE
                     WHERE a.company_id = %(company)s AND (NOT %(only)s OR a.id = ANY(%(ids)s))
                )
                UPDATE customer_account a
                   SET last_contact_date = computed.last_contact,
                       pool_reclaim_date = computed.reclaim_date,
                       pool_rule_id = computed.rule_id
                  FROM computed
                 WHERE a.id = computed.id
                   AND (a.last_contact_date, a.pool_reclaim_date, a.pool_rule_id)
                       IS DISTINCT FROM (computed.last_contact, computed.reclaim_date, computed.rule_id)
             RETURNING a.id
                """,
                tz=self._company_tz(company),
                company=company.id,
                only=only,
                ids=ids,
            )
        )
        if len(changed) > ANALYZE_AFTER_ROWS:
            # As the tier recomputation does: the planner must see the new dates for the statements
            # that follow (the warnings and reclaims pick accounts by them).
            self.env.cr.execute("ANALYZE customer_account")
        self.env["customer.account"].invalidate_model(POOL_FIELDS)
        self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))

    @api.model
    def _company_tz(self, company):
        return company.partner_id.tz or self.env.user.tz or "UTC"

    # ------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------

    @api.model
    def _cron_reclaim(self, today=None):
        """Daily: warn the owners of the customers due back in the pool soon, then reclaim the due
        ones; per company, each on its own savepoint and committed with the cron's progress. A
        re-run the same day finds nothing to warn and nothing to reclaim."""
        today = today or fields.Date.context_today(self)
        companies = self.search([]).company_id  # pylint: disable=no-search-all
        companies._cron_run_per_company(lambda company: self._reclaim_company(company, today), "Customer pool reclaim")

    @api.model
    def _reclaim_company(self, company, today):
        """Refresh the dates, warn, reclaim. Returns {"warned": n, "reclaimed": n}."""
        self._refresh_company_dates(company, today=today)
        warned = self._warn_owners(company, today)
        moves = self._reclaim_due(company, today)
        if moves:
            self._after_pool_entry(company, moves, "reclaim")
            self._send_digests(company, moves)
        return {"warned": warned, "reclaimed": len(moves)}

    @api.model
    def _warn_owners(self, company, today):
        """One activity per customer entering its warning window, due on its reclaim date; the
        account remembers the date it was warned about, so that no run warns twice for it."""
        # The reclaim dates in the window of the longest warning first (their index), then each rule's.
        [(longest,)] = self.env.execute_query(
            SQL(
                "SELECT COALESCE(MAX(warning_days), 0) FROM customer_pool_rule WHERE company_id = %s AND active",
                company.id,
            )
        )
        rows = self.env.execute_query(
            SQL(
                """SELECT a.id, a.partner_id, a.user_id, a.pool_reclaim_date, rule.pool_id
                     FROM customer_account a
                     JOIN customer_pool_rule rule ON rule.id = a.pool_rule_id
                    WHERE a.company_id = %(company)s AND a.user_id IS NOT NULL AND a.customer_pool_id IS NULL
                      AND a.pool_reclaim_date > %(today)s AND a.pool_reclaim_date <= %(today)s + %(longest)s
                      AND a.pool_reclaim_date - rule.warning_days <= %(today)s
                      AND a.pool_warned_date IS DISTINCT FROM a.pool_reclaim_date
                 ORDER BY a.id""",
                company=company.id,
                today=today,
                longest=longest,
            )
        )
        warned = 0
        for start in range(0, len(rows), BATCH):
            warned += self._isolated(self._warn_batch, rows[start : start + BATCH])
        return warned

    def _isolated(self, function, rows):
        """``function(rows)`` on a savepoint; when it fails, row by row, so that one bad record
        (say, a salesperson whose user was deleted halfway) keeps only itself out."""
        try:
            with self.env.cr.savepoint():
                function(rows)
            return len(rows)
        except Exception:
            if len(rows) == 1:
                _logger.exception("Customer pool: record %s skipped", rows[0][0])
                return 0
        return sum(self._isolated(function, [row]) for row in rows)

    def _warn_batch(self, rows):
        activity_type = self.env.ref("customer_relationship.mail_activity_type_pool_warning")
        users = self.env["res.users"].browse({row[2] for row in rows})
        pools = self.browse({row[4] for row in rows}).with_context(active_test=False)
        langs = {user.id: user.lang or self.env.lang for user in users}

        # In the salesperson's language: the activity is theirs. Translated once per language,
        # date and pool, not once per customer.
        @functools.cache
        def summary(lang, day):
            lang_env = self.with_context(lang=lang).env
            return lang_env._("Back to the customer pool on %(date)s", date=format_date(lang_env, day))

        @functools.cache
        def note(lang, pool_id):
            lang_env = self.with_context(lang=lang).env
            text = lang_env._(
                "Log a visit or a contact before then, or the customer goes back to the pool %(pool)s "
                "for another salesperson to claim.",
                pool=pools.browse(pool_id).with_env(lang_env).name,
            )
            return str(Markup("<p>%s</p>") % text)

        summaries = [summary(langs[row[2]], row[3]) for row in rows]
        notes = [note(langs[row[2]], row[4]) for row in rows]
        # A warning about an earlier date (the customer was contacted since) gives way to the new
        # one. The scheduled action warns every salesperson on their own customers: no user's
        # rights apply (sudo).
        self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", [row[1] for row in rows]),
                ("activity_type_id", "=", activity_type.id),
            ]
        ).unlink()
        # One statement for the batch: the ORM's activity creation (about 2 ms an activity) would
        # take most of the run's time. What it does besides is left out on purpose: no e-mail nor
        # live counter update at night (the salesperson finds them in their activities), and no
        # subscription of the salesperson to their own customer.
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.execute_query(
            SQL(
                """INSERT INTO mail_activity
                          (res_model_id, res_model, res_id, res_name, activity_type_id, summary, note,
                           date_deadline, user_id, user_tz, automated, active,
                           create_uid, write_uid, create_date, write_date)
                   SELECT %(model)s, 'res.partner', warned.partner_id, partner.complete_name, %(type)s,
                          warned.summary, warned.note, warned.deadline, warned.user_id, user_partner.tz, TRUE, TRUE,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM unnest(%(partners)s::int[], %(users)s::int[], %(deadlines)s::date[],
                                 %(summaries)s::varchar[], %(notes)s::text[])
                          AS warned(partner_id, user_id, deadline, summary, note)
                     JOIN res_partner partner ON partner.id = warned.partner_id
                     JOIN res_users users ON users.id = warned.user_id
                     JOIN res_partner user_partner ON user_partner.id = users.partner_id;
                   UPDATE customer_account SET pool_warned_date = pool_reclaim_date WHERE id = ANY(%(accounts)s)""",
                model=self.env["ir.model"]._get_id("res.partner"),
                type=activity_type.id,
                uid=self.env.uid,
                now=now,
                partners=[row[1] for row in rows],
                users=[row[2] for row in rows],
                deadlines=[row[3] for row in rows],
                summaries=summaries,
                notes=notes,
                accounts=[row[0] for row in rows],
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.env["res.partner"].invalidate_model(["activity_ids"])
        self.env["customer.account"].invalidate_model(["pool_warned_date"])

    @api.model
    def _reclaim_due(self, company, today):
        """Move every due account into its rule's pool and log the history, in one statement.
        Returns [(partner id, previous user id, pool id)]."""
        now = fields.Datetime.now()
        rows = self.env.execute_query(
            SQL(
                """
                WITH moved AS (
                    UPDATE customer_account a
                       SET previous_user_id = a.user_id, user_id = NULL, customer_pool_id = rule.pool_id,
                           pool_entry_date = %(today)s, pool_reclaim_date = NULL, pool_rule_id = NULL,
                           pool_warned_date = NULL, owner_date = NULL, write_uid = %(uid)s, write_date = %(now)s
                      FROM customer_pool_rule rule
                     WHERE rule.id = a.pool_rule_id AND a.company_id = %(company)s
                       AND a.user_id IS NOT NULL AND a.customer_pool_id IS NULL
                       AND a.pool_reclaim_date <= %(today)s AND NOT COALESCE(a.tier_locked, FALSE)
                 RETURNING a.partner_id, a.previous_user_id, rule.pool_id
                ), logged AS (
                    INSERT INTO customer_owner_history
                           (partner_id, company_id, date, old_user_id, user_id, reason, by_user_id, pool_id,
                            create_uid, write_uid, create_date, write_date)
                    SELECT partner_id, %(company)s, %(now)s, previous_user_id, previous_user_id, 'reclaim', %(uid)s,
                           pool_id, %(uid)s, %(uid)s, %(now)s, %(now)s
                      FROM moved
                )
                SELECT partner_id, previous_user_id, pool_id FROM moved ORDER BY partner_id
                """,
                company=company.id,
                today=today,
                now=now,
                uid=self.env.uid,
            )
        )
        self.env["customer.account"].invalidate_model()
        self.env["customer.owner.history"].invalidate_model()
        self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))
        return rows
