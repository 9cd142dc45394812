import { status } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * Views whose rows leave when their button is done: My Day (a care action marked done, a
 * follow-up done) and the customer pool (a customer claimed or assigned). The side panel then
 * counts again, so that its counters stay those of the records shown.
 */
async function recount(controller) {
    // A button that opened another screen (Plan Visit, Open) left this one: nothing to count.
    if (status(controller) !== "destroyed") {
        await controller.env.searchModel._notify();
    }
}

export class RecountListController extends ListController {
    async afterExecuteActionButton(clickParams) {
        await super.afterExecuteActionButton(...arguments);
        await recount(this);
    }
}

export class RecountKanbanController extends KanbanController {
    async afterExecuteActionButton(clickParams) {
        await super.afterExecuteActionButton(...arguments);
        await recount(this);
    }
}

const views = registry.category("views");
views.add("customer_worklist_list", { ...listView, Controller: RecountListController });
views.add("customer_pool_list", { ...listView, Controller: RecountListController });
views.add("customer_pool_kanban", { ...kanbanView, Controller: RecountKanbanController });
