import { registry } from "@web/core/registry";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

/**
 * My Day: a row leaves the list once its reason is done (a care action marked done, a follow-up
 * done). The side panel then counts again, so that its counters stay those of the list.
 */
export class CustomerWorklistListController extends ListController {
    async afterExecuteActionButton(clickParams) {
        await super.afterExecuteActionButton(...arguments);
        await this.env.searchModel._notify();
    }
}

registry.category("views").add("customer_worklist_list", {
    ...listView,
    Controller: CustomerWorklistListController,
});
