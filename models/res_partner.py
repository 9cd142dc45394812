from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.orm.utils import parse_field_expr
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .customer_account import ACCOUNT_PARTNER_FIELDS, ALL_CUSTOMERS_GROUP


def account_field(field_type, fname, *args, writable=False, **kwargs):
    """A res.partner field that shows what the customer is in the current company: the field of
    its customer.account that ACCOUNT_PARTNER_FIELDS maps ``fname`` (the partner field's own name)
    to. It is read by _compute_customer_account, searched by _search_customer_account and grouped,
    ordered and summed through one join (_field_to_sql). ``writable``: the addon's actions write it
    back to the account (_inverse_customer_account), in sudo once they have checked who may
    (_check_account_fields); ``args`` and ``kwargs`` are those of ``field_type`` (string, help...)."""

    def search(partners, operator, value):
        return partners._search_customer_account(fname, operator, value)

    if writable:

        def inverse(partners):
            partners._inverse_customer_account(fname)

        kwargs["inverse"] = inverse
    return field_type(*args, compute="_compute_customer_account", search=search, **kwargs)


class ResPartner(models.Model):
    """What a customer is in the current company: its customer.account there (README, "Design"),
    read by the commercial partner and its contacts alike; searched, grouped and ordered on through
    one join on the account table (see _field_to_sql). The figures shown on the partner are
    declared with account_field() in the files of their concern (res_partner_tier.py,
    res_partner_loss.py, res_partner_prediction.py, res_partner_pool.py...)."""

    _inherit = "res.partner"

    customer_account_ids = fields.One2many("customer.account", "partner_id", string="Accounts")
    customer_account_user_id = account_field(
        fields.Many2one,
        "customer_account_user_id",
        "res.users",
        writable=True,
        string="Salesperson in this Company",
        help="Who sells to this customer in the current company; the customer's salesperson by default.",
    )
    customer_account_visible = fields.Boolean(
        string="May See the Account",
        compute="_compute_customer_account",
        search="_search_customer_account_visible",
        help='The user may see what the customer is in the current company (README, "Access"): a '
        "salesperson of own customers sees their own accounts and those of their customer pools.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("commercial_partner_id")
    @api.depends_context("company", "uid")
    def _compute_customer_account(self):
        # The figures of an account the user may not see (another salesperson's customer, for a
        # salesperson of own customers) read as empty; in sudo (a related field, a sale order's
        # tier badge, the scheduled actions) all are read.
        accounts = (
            self.env["customer.account"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id", *ACCOUNT_PARTNER_FIELDS.values()],
            )
        )
        visible = accounts.sudo(self.env.su)._readable()
        see_all = self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP)
        by_partner = {account.partner_id.id: account for account in accounts}
        empty = self.env["customer.account"]
        for partner in self:
            account = by_partner.get(partner.commercial_partner_id.id, empty)
            hidden = account and account not in visible
            for fname, account_fname in ACCOUNT_PARTNER_FIELDS.items():
                partner[fname] = False if hidden else account[account_fname]
            partner.customer_account_visible = not hidden
            # No account yet in this company (never classified there): the one it will get
            # takes the customer's salesperson.
            if not account:
                partner.relationship_level = "basic"
                partner.customer_account_user_id = partner.commercial_partner_id.user_id
                partner.customer_account_visible = see_all or partner.customer_account_user_id == self.env.user

    def _search_customer_account_visible(self, operator, value):
        if operator != "in":
            return NotImplemented
        visible = self.env["customer.account"]._partner_visible_domain()
        return visible if True in value else ~visible

    def _inverse_customer_account(self, fname):
        # The partner's write access was checked by the ORM; the account of its commercial
        # partner follows what may be written on the partner.
        account_model = self.env["customer.account"].sudo().with_context(customer_account_from_partner=True)
        accounts = account_model._for_partners(self, self.env.company)
        account_fname = ACCOUNT_PARTNER_FIELDS[fname]
        # All the new values first: writing an account invalidates the partners' cache.
        by_value = defaultdict(lambda: account_model)
        for partner in self:
            by_value[self._fields[fname].convert_to_write(partner[fname], partner)] |= accounts[
                partner.commercial_partner_id.id
            ]
        for value, group in by_value.items():
            changed = group.filtered(
                lambda a, value=value: a._fields[account_fname].convert_to_write(a[account_fname], a) != value
            )
            if changed:
                changed.write({account_fname: value})

    def _search_customer_account(self, fname, operator, value):
        """``fname`` compared on the account of the current company, through the join of
        _customer_account_alias; a customer without an account compares as a new account."""
        account_model = self.env["customer.account"].sudo()  # the figures are public: see the compute
        account_model.flush_model([ACCOUNT_PARTNER_FIELDS[fname]])  # SQL below reads the table
        condition = Domain(ACCOUNT_PARTNER_FIELDS[fname], operator, value).optimize_full(account_model)
        matches_missing = bool(account_model.new({}).filtered_domain(condition))
        presence = "%s IS NULL OR" if matches_missing else "%s IS NOT NULL AND"
        if fname == "customer_account_user_id":
            # A customer without an account in the company counts as the customer's salesperson's
            # (see the compute); an account without a salesperson belongs to nobody.
            presence = "%s IS NOT NULL AND"
            follows = Domain.custom(
                to_sql=lambda model, alias, query: SQL(
                    "%s IS NULL", SQL.identifier(model._customer_account_alias(alias, query, hidden=True), "id")
                )
            )
            follows &= Domain("commercial_partner_id.user_id", operator, value)

        def to_sql(model, alias, query):
            account_alias = model._customer_account_alias(alias, query, hidden=fname == "customer_account_user_id")
            sql = condition._to_sql(account_model, account_alias, query)
            return SQL("(%s %s)", SQL(presence, SQL.identifier(account_alias, "id")), sql)

        if fname == "customer_account_user_id":
            return Domain.custom(to_sql=to_sql) | follows
        return Domain.custom(to_sql=to_sql)

    @api.depends(
        "commercial_partner_id.customer_tier_history_ids",
        "commercial_partner_id.care_action_ids",
        "commercial_partner_id.customer_owner_history_ids",
    )
    @api.depends_context("company", "uid", "allowed_company_ids")
    def _compute_record_counts(self):
        """The counts of the customer form's buttons (care actions, tier and salesperson changes),
        in one query: the rows each list shows the user, in the companies selected."""
        customers = [("partner_id", "in", self.commercial_partner_id.ids)]
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id,
                          (SELECT COUNT(*) FROM customer_care_action c
                            WHERE c.partner_id = p.id AND c.id IN (%(care_actions)s)),
                          (SELECT COUNT(*) FROM customer_tier_history h
                            WHERE h.partner_id = p.id AND h.id IN (%(tier_history)s)),
                          (SELECT COUNT(*) FROM customer_owner_history o
                            WHERE o.partner_id = p.id AND o.id IN (%(owner_history)s))
                     FROM unnest(%(ids)s::int[]) AS p(id)""",
                ids=self.commercial_partner_id.ids,
                care_actions=self.env["customer.care.action"]._search(customers).subselect(),
                tier_history=self.env["customer.tier.history"]._search(customers).subselect(),
                owner_history=self.env["customer.owner.history"]._search(customers).subselect(),
            )
        )
        counts = {row[0]: row[1:] for row in rows}
        for partner in self:
            (
                partner.care_action_count,
                partner.customer_tier_history_count,
                partner.customer_owner_history_count,
            ) = counts.get(partner.commercial_partner_id.id, (0, 0, 0))

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------

    def _field_to_sql(self, alias, field_expr, query=None):
        # Grouping, ordering and aggregating on an account figure read the account table through
        # one join: not a correlated sub-select per row (README, "Design").
        fname, property_name = parse_field_expr(field_expr)
        if fname in ACCOUNT_PARTNER_FIELDS and query is not None:
            self._check_field_access(self._fields[fname], "read")
            self.env["customer.account"].flush_model([ACCOUNT_PARTNER_FIELDS[fname]])
            account_alias = self._customer_account_alias(alias, query, hidden=fname == "customer_account_user_id")
            account_expr = ACCOUNT_PARTNER_FIELDS[fname] + (f".{property_name}" if property_name else "")
            sql = self.env["customer.account"]._field_to_sql(account_alias, account_expr, query)
            if fname == "relationship_level":
                sql = SQL("COALESCE(%s, 'basic')", sql)
            elif fname == "customer_account_user_id":
                # without an account in the company, the customer's salesperson (see the compute)
                commercial_alias = query.make_alias(alias, "customer_account_commercial")
                query.add_join(
                    "LEFT JOIN",
                    commercial_alias,
                    "res_partner",
                    SQL(
                        "%s = %s",
                        SQL.identifier(commercial_alias, "id"),
                        SQL.identifier(alias, "commercial_partner_id"),
                    ),
                )
                sql = SQL(
                    "CASE WHEN %s IS NULL THEN %s ELSE %s END",
                    SQL.identifier(account_alias, "id"),
                    SQL.identifier(commercial_alias, "user_id"),
                    sql,
                )
            return sql
        return super()._field_to_sql(alias, field_expr, query)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_account_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_account_fields(vals)
        follow_salesperson = "user_id" in vals and not self.env.context.get("customer_account_keep_owner")
        old_users = {partner.id: partner.user_id for partner in self if follow_salesperson}
        result = super().write(vals)
        if set(vals) & set(ACCOUNT_PARTNER_FIELDS):
            # The inverses kept this environment's cache while writing the accounts; the partners'
            # figures as other users (their own cache) read them again.
            self.env["res.partner"].invalidate_model(list(ACCOUNT_PARTNER_FIELDS))
        if follow_salesperson:
            self._move_accounts_with_salesperson(old_users)
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_open_customers(self):
        """The Customers menu. A salesperson who sees only their own customers opens on them, under
        a "My Customers" facet they can remove; those who see every customer open on all of them."""
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.res_partner_customer_action")
        if not self.env.user.has_group("customer_relationship.group_customer_relationship_user_all"):
            context = safe_eval(action.get("context") or "{}", {"uid": self.env.uid})
            action["context"] = {**context, "search_default_my_customers": 1}
        return action

    def _action_customer_list(self, xmlid, title):
        """One of the addon's lists (tier changes, care actions...), for this customer only, titled
        as the form's button: the list first, without the list's own default filters."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["views"] = [view for view in action["views"] if view[1] in ("list", "form")]
        action["view_mode"] = ",".join(view_type for _view, view_type in action["views"])
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        action["name"] = action["display_name"] = self.env._(
            "%(list)s: %(customer)s", list=title, customer=self.commercial_partner_id.display_name
        )
        return action

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _check_account_fields(self, fnames):
        """The account fields shown on the partner (tier, level, loss, salesperson in the company)
        change through the addon's actions, which write them in sudo after checking who may
        (README, "Access"): written directly, through RPC or an import, they would skip both."""
        direct = set(fnames) & set(ACCOUNT_PARTNER_FIELDS)
        if direct and not self.env.su:
            names = ", ".join(self._fields[fname]._description_string(self.env) for fname in sorted(direct))
            raise AccessError(
                self.env._(
                    "%(fields)s of a customer change only through the customer relationship actions "
                    "(Set Tier, Change level, Mark as Lost, Hand Over), not by writing the customer.",
                    fields=names,
                )
            )

    def _move_accounts_with_salesperson(self, old_users):
        """The customer's salesperson changed in Odoo: its accounts held by the former one follow
        (an account another salesperson holds, or nobody, stays as it is)."""
        # The partner's write access was checked by the ORM; its accounts follow what may be
        # written on it, as the partner fields' inverse does.
        accounts = self.env["customer.account"].sudo().search([("partner_id", "in", list(old_users))])
        for partner, group in accounts.grouped("partner_id").items():
            moving = group.filtered(lambda account, partner=partner: account.user_id == old_users[partner.id])
            if moving and partner.user_id != old_users[partner.id]:
                moving.write({"user_id": partner.user_id.id})

    def _customer_account_alias(self, alias, query, hidden=False):
        """LEFT JOIN the account of the current company onto ``alias`` (once per query). For a
        user who may not see every account, the accounts they may not see are left out, as the
        compute leaves them out (README, "Access"): searching, grouping or summing a figure
        through RPC shows nothing of them either. ``hidden``: join them all the same (whose
        customer it is, which the salesperson filters compare on)."""
        restricted = not (hidden or self.env.su or self.env.user.has_group(ALL_CUSTOMERS_GROUP))
        account_alias = query.make_alias(alias, "customer_account_seen" if restricted else "customer_account")
        condition = SQL(
            "%s = %s AND %s = %s",
            SQL.identifier(account_alias, "partner_id"),
            SQL.identifier(alias, "commercial_partner_id"),
            SQL.identifier(account_alias, "company_id"),
            self.env.company.id,
        )
        if restricted:
            readable = self.env["customer.account"]._search([("company_id", "=", self.env.company.id)])
            condition = SQL("%s AND %s IN %s", condition, SQL.identifier(account_alias, "id"), readable.subselect())
        query.add_join("LEFT JOIN", account_alias, "customer_account", condition)
        return account_alias
