/* measures.c: the registry of measure kinds, one line each (measure.h).
 * Adding a kind: its file pair core/<kind>.c/h defines `sp_<kind>_measure`;
 * list it here and give it a binding (bindings/l_<kind>.c). */
#include "appliance_tradein.h"
#include "cash_transfer.h"
#include "community_outlets.h"
#include "consumer_credit.h"
#include "measure.h"
#include "night_economy.h"
#include "plates.h"
#include "promotion.h"
#include "purchase_subsidy.h"
#include "scrappage.h"
#include "used_car_export.h"
#include "vouchers.h"

const sp_measure_ops *const sp_measure_kinds[] = {
    &sp_voucher_measure,
    &sp_scrappage_measure,
    &sp_purchase_subsidy_measure,
    &sp_cash_transfer_measure,
    &sp_plate_regime_measure,
    &sp_plate_extra_measure,
    &sp_promotion_measure,
    &sp_night_economy_measure,
    &sp_appliance_tradein_measure,
    &sp_consumer_credit_measure,
    &sp_used_car_export_measure,
    &sp_community_outlets_measure,
    NULL,
};
