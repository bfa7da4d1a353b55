/* spendsim.h: the umbrella header of the spendsim core: every public header
 * of core/ and core/writers/ (writers_internal.h is private to the writers). */
#ifndef SPENDSIM_H
#define SPENDSIM_H

#include "beijing.h"
#include "calendar.h"
#include "cars.h"
#include "cash_transfer.h"
#include "category.h"
#include "digest.h"
#include "experiment.h"
#include "filter.h"
#include "group.h"
#include "measure.h"
#include "microdata.h"
#include "package.h"
#include "params.h"
#include "plates.h"
#include "population.h"
#include "purchase_subsidy.h"
#include "report.h"
#include "results.h"
#include "rng.h"
#include "run.h"
#include "scrappage.h"
#include "simd.h"
#include "spending.h"
#include "status.h"
#include "table.h"
#include "vouchers.h"
#include "vehicles.h"
#include "version.h"
#include "writers/writers.h"

#endif
