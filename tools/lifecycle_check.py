"""Checks that uninstalling the addon leaves the database clean (used by ``tools/dev.sh test``).

lifecycle_check.py snapshot DB FILE   record what the addon owns: tables, columns, records
lifecycle_check.py verify DB FILE     after the uninstallation: fail if any of it remains
"""

import json
import os
import sys

import psycopg2
from psycopg2 import sql

MODEL_TABLES = {
    "ir.ui.view": "ir_ui_view",
    "ir.cron": "ir_cron",
    "ir.rule": "ir_rule",
    "ir.ui.menu": "ir_ui_menu",
    "ir.actions.act_window": "ir_act_window",
    "ir.actions.report": "ir_act_report_xml",
    "mail.template": "mail_template",
    "res.groups": "res_groups",
}


def connect(database):
    return psycopg2.connect(dbname=database, host="127.0.0.1", user=os.environ.get("CR_DB_USER", "odoo"))


def snapshot(cr):
    cr.execute(
        """SELECT model.model, field.name, field.store, field.ttype
             FROM ir_model_data data
             JOIN ir_model_fields field ON field.id = data.res_id
             JOIN ir_model model ON model.id = field.model_id
            WHERE data.module = 'customer_relationship' AND data.model = 'ir.model.fields'
              AND NOT EXISTS (SELECT 1 FROM ir_model_data other
                               WHERE other.model = 'ir.model.fields' AND other.res_id = data.res_id
                                 AND other.module != 'customer_relationship')"""
    )
    fields = [row for row in cr.fetchall() if row[2] and row[3] not in ("one2many", "many2many")]
    # The addon's own models: no other module declares them.
    cr.execute(
        """SELECT model.model FROM ir_model_data data JOIN ir_model model ON model.id = data.res_id
            WHERE data.module = 'customer_relationship' AND data.model = 'ir.model'
              AND NOT EXISTS (SELECT 1 FROM ir_model_data other
                               WHERE other.model = 'ir.model' AND other.res_id = data.res_id
                                 AND other.module != 'customer_relationship')"""
    )
    own_models = [row[0] for row in cr.fetchall()]
    records = {}
    for model in MODEL_TABLES:
        cr.execute("SELECT res_id FROM ir_model_data WHERE module = 'customer_relationship' AND model = %s", [model])
        records[model] = [row[0] for row in cr.fetchall()]
    return {
        "columns": [
            (model.replace(".", "_"), name) for model, name, _store, _type in fields if model not in own_models
        ],
        "tables": [model.replace(".", "_") for model in own_models],
        "records": records,
    }


def verify(cr, owned):
    problems = []
    for table, column in owned["columns"]:
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, column]
        )
        if cr.fetchone():
            problems.append(f"column {table}.{column} is left")
    for table in owned["tables"]:
        cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [table])
        if cr.fetchone():
            problems.append(f"table {table} is left")
    for model, ids in owned["records"].items():
        if ids:
            query = sql.SQL("SELECT id FROM {} WHERE id = ANY(%s)").format(sql.Identifier(MODEL_TABLES[model]))
            cr.execute(query, [ids])
            problems += [f"{model} record {row[0]} is left" for row in cr.fetchall()]
    cr.execute("SELECT COUNT(*) FROM ir_model_data WHERE module = 'customer_relationship'")
    if left := cr.fetchone()[0]:
        problems.append(f"{left} external ids of the addon are left")
    cr.execute("SELECT state FROM ir_module_module WHERE name = 'customer_relationship'")
    if (state := cr.fetchone()[0]) != "uninstalled":
        problems.append(f"the module is {state}")
    return problems


def main():
    action, database, path = sys.argv[1:4]
    with connect(database) as connection, connection.cursor() as cr:
        if action == "snapshot":
            owned = snapshot(cr)
            with open(path, "w") as file:
                json.dump(owned, file)
            print(
                f"the addon owns {len(owned['tables'])} tables, {len(owned['columns'])} columns on other models "
                f"and {sum(map(len, owned['records'].values()))} views, menus, actions, rules, crons..."
            )
            return
        with open(path) as file:
            problems = verify(cr, json.load(file))
    if problems:
        print("uninstall left:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("uninstall left nothing of the addon behind")


if __name__ == "__main__":
    main()
