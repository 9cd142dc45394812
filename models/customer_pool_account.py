from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from .customer_pool_reclaim import QUIET

MANAGER_GROUP = "customer_relationship.group_customer_relationship_manager"


class CustomerAccount(models.Model):
    _inherit = "customer.account"

    # Shown on the pool's cards: where the customer is, for a salesperson choosing whom to claim.
    partner_city = fields.Char(related="partner_id.city", string="City")

    # ------------------------------------------------------------
    # Claim and assign
    # ------------------------------------------------------------

    def action_pool_claim(self):
        """A salesperson takes customers from a pool they belong to, within the pool's limits."""
        self._check_pool_claim(self.env.user)
        self._pool_take(self.env.user, "claim")
        message = (
            self.env._("%(customer)s is now your customer.", customer=self.partner_id.name)
            if len(self) == 1
            else self.env._("%(count)s customers are now yours.", count=len(self))
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _check_pool_claim(self, user):
        """Refuse, with the reason, a claim past a pool's rules; nothing is changed then."""
        today = fields.Date.context_today(self)
        if not self:
            raise UserError(self.env._("Choose the customers to claim."))
        outside = self.filtered(lambda account: not account.customer_pool_id)
        if outside:
            raise UserError(
                self.env._(
                    "%(customers)s is not in a customer pool: only pool customers can be claimed.",
                    customers=", ".join(outside.partner_id.mapped("name")),
                )
            )
        for pool, accounts in self.grouped("customer_pool_id").items():
            if not pool._is_member(user):
                raise AccessError(self.env._("You are not a member of the customer pool %(pool)s.", pool=pool.name))
            Account = self.sudo()  # counts over every salesperson's accounts, as the limits say
            if pool.claim_limit:
                held = Account.search_count([("company_id", "=", pool.company_id.id), ("user_id", "=", user.id)])
                if held + len(accounts) > pool.claim_limit:
                    raise UserError(
                        self.env._(
                            "You already hold %(held)s customers in %(company)s; the pool %(pool)s lets a "
                            "salesperson hold at most %(limit)s.",
                            held=held,
                            company=pool.company_id.name,
                            pool=pool.name,
                            limit=pool.claim_limit,
                        )
                    )
            if pool.daily_claim_limit:
                start = self.env["customer.visit"]._to_utc(today)
                claimed = (
                    self.env["customer.owner.history"]
                    .sudo()
                    .search_count(
                        [
                            ("pool_id", "=", pool.id),
                            ("reason", "=", "claim"),
                            ("new_user_id", "=", user.id),
                            ("date", ">=", start),
                        ]
                    )
                )
                if claimed + len(accounts) > pool.daily_claim_limit:
                    raise UserError(
                        self.env._(
                            "You already claimed %(claimed)s customers from the pool %(pool)s today; "
                            "the limit is %(limit)s a day.",
                            claimed=claimed,
                            pool=pool.name,
                            limit=pool.daily_claim_limit,
                        )
                    )
            if pool.reclaim_cooldown_days:
                for account in accounts.filtered(lambda account: account.previous_user_id == user):
                    free_on = account.pool_entry_date + timedelta(days=pool.reclaim_cooldown_days)
                    if today < free_on:
                        raise UserError(
                            self.env._(
                                "%(customer)s went back to the pool from you on %(date)s: you may claim it "
                                "again from %(free_on)s.",
                                customer=account.partner_id.name,
                                date=format_date(self.env, account.pool_entry_date),
                                free_on=format_date(self.env, free_on),
                            )
                        )

    def _pool_assign(self, user):
        """A manager gives customers (in a pool or not) to ``user``; no limit applies."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only customer relationship managers can assign customers."))
        if not user._is_internal():
            raise UserError(self.env._("%(user)s is not an internal user and cannot be a salesperson.", user=user.name))
        refused = self.company_id - user.company_ids
        if refused:
            raise UserError(
                self.env._(
                    "%(user)s has no access to %(company)s.", user=user.name, company=", ".join(refused.mapped("name"))
                )
            )
        self._pool_take(user, "assign")

    def _pool_take(self, user, reason):
        # Salespeople may only read accounts: claiming is the pool's own way to write one, after
        # the checks above (membership and limits); the write logs the history.
        accounts = self.sudo().with_context(customer_owner_reason=reason)
        for pool, group in accounts.grouped("customer_pool_id").items():
            group.with_context(customer_owner_pool_id=pool.id).write({"user_id": user.id})
        # Odoo's salesperson of the customer follows, for the orders it proposes (the other
        # companies' accounts keep their own salesperson).
        accounts.partner_id.with_context(**QUIET).write({"user_id": user.id})

    # ------------------------------------------------------------
    # Release
    # ------------------------------------------------------------

    def _pool_release(self, pool, reason):
        """The owner (or a manager) gives customers back to ``pool`` with a reason."""
        user = self.env.user
        if not self:
            raise UserError(self.env._("There is no customer of yours to release in this company."))
        if not user.has_group(MANAGER_GROUP):
            foreign = self.filtered(lambda account: account.user_id != user)
            if foreign:
                raise AccessError(
                    self.env._(
                        "Only the salesperson or a manager can release %(customers)s.",
                        customers=", ".join(foreign.partner_id.mapped("name")),
                    )
                )
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason why the customers go back to the pool."))
        if self.customer_pool_id:
            in_pool = self.filtered("customer_pool_id").partner_id
            raise UserError(
                self.env._("%(customers)s is already in a customer pool.", customers=", ".join(in_pool.mapped("name")))
            )
        wrong = self.filtered(lambda account: account.company_id != pool.company_id)
        if wrong:
            raise UserError(self.env._("The customer pool %(pool)s is not of the customers' company.", pool=pool.name))
        today = fields.Date.context_today(self)
        moves = [(account.partner_id.id, account.user_id.id, pool.id) for account in self]
        # A salesperson may not write accounts: releasing is the pool's own way, checked above.
        accounts = self.sudo().with_context(customer_owner_reason="release", customer_owner_note=reason)
        for user_from, group in accounts.grouped("user_id").items():
            group.write(
                {
                    "user_id": False,
                    "previous_user_id": user_from.id,
                    "customer_pool_id": pool.id,
                    "pool_entry_date": today,
                    "pool_reclaim_date": False,
                    "pool_rule_id": False,
                    "owner_date": False,
                }
            )
        self.env["customer.pool"]._after_pool_entry(pool.company_id, moves, "release", reason)
