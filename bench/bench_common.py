"""What the benchmarks share (not a test, not part of the addon): the scratch database's
arguments and data, timing, and the views as the web client reads them.

The benchmarks are scripts in this folder: ``python bench/x.py`` puts the folder first on the
import path, so they ``import bench_common`` and nothing of each other or of the addon's tests.
"""

import argparse
import ast
import contextlib
import importlib
import os
import time

import odoo
from odoo import sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

# The addon's modules are importable once the configuration has set the addons path.
COMPUTED_TABLE = "customer_tier_computed"


def arguments(description, customers=100_000, orders=1_000_000):
    """The benchmarks' command line: the Odoo configuration file, the scratch database, and the
    number of customers (and of orders, unless ``orders`` is None) to generate there."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=customers)
    if orders is not None:
        parser.add_argument("--orders", type=int, default=orders)
    return parser


@contextlib.contextmanager
def scratch_database(args, generate_orders=True):
    """The superuser's environment on the scratch database and its main company, with the
    customers and orders of ``args`` generated first where they are missing (``generate``)."""
    config.parse_config(["-c", args.config, "-d", args.database])
    with Registry(args.database).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        start = time.perf_counter()
        if generate_orders and generate(cr, args.customers, args.orders, company.id, company.currency_id.id):
            elapsed = time.perf_counter() - start
            print(f"generated {args.customers:,} customers and {args.orders:,} orders in {elapsed:.1f} s")
        yield env, company


def generate(cr, customers, orders, company_id, currency_id):
    cr.execute("SELECT COUNT(*) FROM res_partner WHERE ref = 'bench'")
    if cr.fetchone()[0] >= customers:
        return False
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, complete_name, ref, active, is_company, type, customer_rank,
                                        autopost_bills, create_date, write_date)
               SELECT 'Bench customer ' || i, 'Bench customer ' || i, 'bench', TRUE, TRUE, 'contact', 1,
                      'ask', NOW(), NOW()
                 FROM generate_series(1, %s) AS i""",
            customers,
        )
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE ref = 'bench'")
    cr.execute("SELECT MIN(id) FROM res_partner WHERE ref = 'bench'")
    first_id = cr.fetchone()[0]
    cr.execute("SELECT MIN(id) FROM product_pricelist")
    pricelist_id = cr.fetchone()[0]  # none without pricelists: the column may be empty
    # Skewed: random()^3 picks low partner numbers far more often, and amounts are heavy-tailed.
    cr.execute(
        SQL(
            """INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                                       currency_id, pricelist_id, currency_rate, date_order, state,
                                       amount_untaxed, amount_tax, amount_total, create_date, write_date)
               SELECT 'BENCH/' || i, pid, pid, pid, %(company)s, %(currency)s, %(pricelist)s, 1,
                      NOW() - random() * INTERVAL '730 days',
                      CASE WHEN random() < 0.03 THEN 'cancel' ELSE 'sale' END,
                      amount, 0, amount, NOW(), NOW()
                 FROM (SELECT i, %(first)s + FLOOR(%(customers)s * power(random(), 3))::int AS pid,
                              ROUND((50 + 5000 * power(random(), 4))::numeric, 2) AS amount
                         FROM generate_series(1, %(orders)s) AS i) AS g""",
            company=company_id,
            currency=currency_id,
            pricelist=pricelist_id,
            first=first_id,
            customers=customers,
            orders=orders,
        )
    )
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE sale_order")
    return True


def generate_lines(env, cr):
    """One order line per bench order, a third of them with a cost (hence a margin), once: the
    addon's margin reads the lines."""
    cr.execute("SELECT 1 FROM sale_order_line WHERE name = 'Bench line' LIMIT 1")
    if cr.fetchone():
        return False
    product = env["product.product"].create({"name": "Bench product", "type": "consu"})
    cr.execute(
        SQL(
            """INSERT INTO sale_order_line (order_id, name, product_id, product_uom_id, product_uom_qty, price_unit,
                                            customer_lead, company_id, currency_id, order_partner_id, state,
                                            price_subtotal, price_total, purchase_price, margin, sequence,
                                            create_date, write_date)
               SELECT so.id, 'Bench line', %(product)s, %(uom)s, 1, so.amount_untaxed, 0, so.company_id,
                      so.currency_id, so.partner_id, so.state, so.amount_untaxed, so.amount_untaxed,
                      CASE WHEN so.id %% 3 = 0 THEN ROUND(so.amount_untaxed * 0.7, 2) ELSE 0 END,
                      CASE WHEN so.id %% 3 = 0 THEN so.amount_untaxed - ROUND(so.amount_untaxed * 0.7, 2)
                           ELSE so.amount_untaxed END, 10, NOW(), NOW()
                 FROM sale_order so WHERE so.name LIKE 'BENCH/%%'""",
            product=product.id,
            uom=product.uom_id.id,
        )
    )
    cr.execute("ANALYZE sale_order_line")
    return True


def reset(cr):
    """Every bench customer unclassified: its accounts go (the first run classifies them all).
    Committed, then vacuumed: the dead rows of earlier runs would slow every later scan."""
    cr.execute("DELETE FROM customer_account WHERE partner_id IN (SELECT id FROM res_partner WHERE ref = 'bench')")
    cr.execute("DELETE FROM customer_tier_history")
    cr.commit()
    vacuum(cr, "res_partner", "customer_account", "customer_tier_history")


def vacuum(cr, *tables):
    """VACUUM ANALYZE ``tables`` (committed work only: it runs outside a transaction)."""
    with sql_db.db_connect(cr.dbname).cursor() as vacuum_cr:
        vacuum_cr._cnx.autocommit = True
        try:
            for table in tables:
                vacuum_cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))
        finally:
            vacuum_cr._cnx.autocommit = False


def timed(cr, function):
    queries = cr.sql_log_count
    start = time.perf_counter()
    result = function()
    cr.flush()
    return time.perf_counter() - start, cr.sql_log_count - queries, result


def load_note():
    """The machine's load while measuring: the ratios hold under load, the seconds do not."""
    loads = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    return f"load average (1, 5, 15 min): {loads} on {os.cpu_count()} cores"


def prediction_columns():
    return importlib.import_module("odoo.addons.customer_relationship.models.customer_prediction").PREDICTION_COLUMNS


def recompute_without_model(env, company, today):
    """The tier recomputation as it was before the model: build, upsert, drop."""
    tiers = env["customer.tier"]
    tiers._build_computed_table(company, today)
    env.cr.execute(
        SQL(
            "ALTER TABLE %s %s",
            SQL.identifier(COMPUTED_TABLE),
            SQL(", ").join(
                SQL("ADD COLUMN %s %s", SQL.identifier(name), SQL(kind)) for name, kind in prediction_columns().items()
            ),
        )
    )
    result = tiers._apply_computed_table(company, today)
    env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(COMPUTED_TABLE)))
    return result


def view_specification(env, model, view_type, view_id=None):
    """The fields the web client reads for a view: the view's fields, relational ones by name."""
    views = env[model].get_views([(view_id, view_type)])
    fields = views["models"][model]["fields"]
    return {
        name: {"fields": {"display_name": {}}} if field["type"] in ("many2one", "one2many", "many2many") else {}
        for name, field in fields.items()
    }


def action_view(env, action, view_type):
    """The domain of the addon's window action ``action`` (an XML id) and the read specification
    of its view of ``view_type``, as the web client opens it."""
    action = env.ref(action).sudo()  # the action as the web client gets it, whoever reads the view
    view = action.view_ids.filtered(lambda view: view.view_mode == view_type)[:1].view_id
    return ast.literal_eval(action.domain or "[]"), view_specification(env, action.res_model, view_type, view.id)


def read_views(env, company):
    """The customers kanban's first page (grouped by tier, with the lifecycle progress bars), the
    customers list's first page and the tier pivot, each with the Customers action's domain and
    views, and Odoo's own contacts kanban read (80 cards), the baseline: each warm, as a user
    meets them."""
    admin = env.ref("base.user_admin")
    user_env = env(user=admin.id, context={"allowed_company_ids": [company.id]})
    partners = user_env["res.partner"]
    contacts_spec = view_specification(user_env, "res.partner", "kanban")
    domain, kanban_spec = action_view(user_env, "customer_relationship.res_partner_customer_action", "kanban")
    list_spec = action_view(user_env, "customer_relationship.res_partner_customer_action", "list")[1]

    def customers_kanban():
        partners.web_read_group(
            domain,
            ["customer_tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=kanban_spec,
            unfold_read_default_limit=40,
        )
        partners.read_progress_bar(
            domain, "customer_tier_id", {"field": "customer_lifecycle", "colors": {"active": "success"}}
        )

    def customers_list():
        partners.web_search_read(domain, list_spec, limit=80, count_limit=10001)

    def tier_pivot():
        # rows by tier, columns by lifecycle, as res_partner_customer_view_pivot asks
        partners.formatted_read_grouping_sets(
            domain,
            [[], ["customer_tier_id"], ["customer_lifecycle"], ["customer_tier_id", "customer_lifecycle"]],
            ["customer_value:sum", "__count"],
        )

    def contacts_kanban():
        partners.web_search_read([], contacts_spec, limit=80)

    results = {}
    for name, function in (
        ("contacts kanban (Odoo's, baseline)", contacts_kanban),
        ("customers kanban, first page", customers_kanban),
        ("customers list, first page", customers_list),
        ("tier pivot", tier_pivot),
    ):
        function()  # warm: fields, access rights and translations are cached once per worker
        runs = []
        for _run in range(5):  # the best of five: the machine is shared
            env.invalidate_all()
            runs.append(timed(env.cr, function))
        results[name] = min(runs, key=lambda run: run[0])
    return results


def print_views(views):
    """Each view (best of five, warm) against the contacts kanban (target <= 5x) and its query count
    (target < 40)."""
    base = views["contacts kanban (Odoo's, baseline)"][0]
    for name, (seconds, queries, _result) in views.items():
        print(f"{name:36s} {seconds:6.3f} s  {queries:3d} queries  x{seconds / base:5.2f} the contacts kanban")
    worst = max(seconds / base for name, (seconds, _q, _r) in views.items())
    most = max(queries for name, (_s, queries, _r) in views.items() if name.startswith(("customers", "tier")))
    print(f"views: worst ratio {worst:.2f} (target <= 5), most queries {most} (target < 40)")
