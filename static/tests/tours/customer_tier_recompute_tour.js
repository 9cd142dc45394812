import { registry } from "@web/core/registry";

/** Recompute Tiers shows the real counts when it opens, and Apply does exactly what it showed. */
const previewed = {};

registry.category("web_tour.tours").add("customer_tier_recompute_tour", {
    url: "/odoo/action-customer_relationship.customer_tier_recompute_action",
    steps: () => [
        {
            content: "The preview lists the resulting tiers as soon as the dialog opens",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Read the preview's counts: the new customer is to be classified",
            trigger: ".modal .o_field_widget[name=new_count]",
            run() {
                const modal = this.anchor.closest(".modal");
                for (const name of ["moved_up_count", "moved_down_count", "new_count"]) {
                    previewed[name] = modal
                        .querySelector(`.o_field_widget[name=${name}]`)
                        .textContent.trim();
                }
                if (!(parseInt(previewed.new_count, 10) > 0)) {
                    throw new Error(`The preview classifies nobody: ${JSON.stringify(previewed)}`);
                }
            },
        },
        {
            content: "Apply",
            trigger: ".modal .modal-footer button[name=action_apply]",
            run: "click",
        },
        {
            content: "Apply did what the preview showed",
            trigger: ".o_notification:contains(Customer tiers recomputed)",
            run() {
                const expected =
                    `${previewed.moved_up_count} moved up, ${previewed.moved_down_count} moved down, ` +
                    `${previewed.new_count} classified`;
                if (!this.anchor.textContent.includes(expected)) {
                    throw new Error(`Expected "${expected}" in "${this.anchor.textContent}"`);
                }
            },
        },
    ],
});
