import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("customer_relationship_zh_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "打开客户关系应用"
        ),
        {
            content: "应用打开“我的一天”",
            trigger: ".o_breadcrumb:contains(我的一天)",
        },
        {
            trigger: ".o_search_panel_filter_value:contains(待联系) .o_search_panel_counter",
        },
        {
            content: "打开客户菜单",
            trigger:
                ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_customers']:contains(客户)",
            run: "click",
        },
        {
            trigger:
                ".dropdown-item[data-menu-xmlid='customer_relationship.res_partner_customer_menu']",
            run: "click",
        },
        {
            content: "客户看板按等级分组，列名为中文",
            trigger: ".o_kanban_group .o_column_title:contains(铂金)",
        },
        {
            content: "生命周期进度条与搜索面板也是中文",
            trigger: ".o_searchview_input[placeholder*='搜索']",
        },
    ],
});
