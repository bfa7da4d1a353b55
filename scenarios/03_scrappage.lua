-- 03_scrappage.lua: a two-month scrappage programme of the US "Cash for
-- Clunkers" (CARS, 2009) design, mapped to Beijing, against the status quo.
--
-- What it does
--   Runs two packages over 24 months from January 2020:
--     Status quo    Beijing's individual plate lottery and NEV queue (2014-2020
--                   rules), no car measure: the baseline;
--     CARS design   the same, plus a scrappage subsidy in July and August 2020:
--                   16 % of the new car's price for an owner who replaces a car
--                   that is at least 10 years old or meets China III or an
--                   older emission standard.
--   Prints and writes, under <out>/03_scrappage/:
--     summary.csv/.md                    the headline table (government cost, extra
--                                        cars, change in car spending, cars pulled
--                                        forward, ...);
--     car_purchases_by_month.csv/.md     cars bought per month in each package;
--     car_purchases_change.csv/.md       change against the status quo per month:
--                                        the spike in July-August and the dip after;
--     cars_scrapped_change.csv/.md       change in cars leaving the stock;
--     scrappage_subsidy_by_month.csv/.md subsidy paid per month (yuan, city);
--     subsidised_cars_by_month.csv/.md   purchases that received the subsidy;
--     spending_change_by_category.csv/.md change in spending per person by
--                                        category (the eight and total) by quarter:
--                                        what the cars do to other spending.
--
-- How to run it
--   spendsim run scenarios/03_scrappage.lua
--   spendsim run scenarios/03_scrappage.lua --set households=20000 --set replicates=2
--   spendsim run scenarios/03_scrappage.lua --set budget=7e8     (a capped budget)
--   spendsim check scenarios/03_scrappage.lua
--
-- Notes for analysts
--   The mapping. CARS paid USD 3,500 or 4,500 per clunker traded in between July
--   and August 2009, about 16 % of the average new car bought under it (Mian and
--   Sufi 2012; data/scrappage_tradein_programs.csv); here it pays 16 % of the
--   price of the household's new car, NEV or ICE. Clunkers (below 18 mpg) become
--   Beijing's old cars: 10 years and older (car_age >= 120 months) or China III
--   and older (emission <= 3). A replacement keeps the plate, so the programme
--   needs no plate: it acts on owners only.
--   Budget. CARS had USD 3 billion; by default the budget here is unlimited so
--   the response is not cut off. Set `budget` (yuan, city-wide) to cap it: the
--   subsidy is then paid first come, first served until it runs out.
--   What to read. Additional purchases per programme transaction: the change in
--   purchases during July-August divided by the subsidised purchases. The
--   studies of CARS found about 0.53 (Mian and Sufi: 360,000 extra cars;
--   Li, Linn and Spiller: 370,000; on 0.68 million transactions), the rest being
--   purchases that would have happened anyway. Then the dip: purchases pulled
--   forward are missing in the following months (CARS: within about 8 months,
--   Hoekstra, Puller and West 2017), which the summary counts as "cars pulled
--   forward". Both packages see the same households and draws (common random
--   numbers), so the changes carry little noise.
--   Car purchases are durable spending outside the eight consumption categories;
--   the change in car spending is in the summary. The cars still move the eight
--   categories (docs/model.md, running costs and car finance): a purchase brought
--   forward brings its down payment and instalments forward (the household's MPC
--   share of them comes out of the other categories), the subsidy lowers what a
--   buyer pays (the saving is spent like a windfall), and a change of fuel (an
--   NEV for a petrol car) changes running costs in transport. The table
--   spending_change_by_category shows the net effect per quarter.

local sp = require "spendsim"

local P = sp.params{
  households = 100000, -- sample households (weights scale them to Beijing)
  replicates = 5,      -- independent repetitions averaged in the tables
  months = 24,         -- months simulated from January 2020
  seed = 2009,         -- random seed of the population and the experiment
  budget = 0.0,        -- programme budget, yuan (city-wide); 0 = unlimited
}

-- The plate regime every package runs under: Beijing's lottery and NEV queue
-- as in 2019-2020 (quotas from data/beijing_plate_quota.csv).
local status_quo = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }

local cars = status_quo:with{ name = "CARS design",
  sp.scrappage{ name = "CARS Beijing", start = "2020-07", ["end"] = "2020-08",
                share = 0.16,                               -- of the new car's price, NEV or ICE
                filter = "car_age >= 120 or emission <= 3", -- 10+ years old, or China III and older
                budget = P.budget },
}

local population = sp.population.beijing{ households = P.households, year = 2019,
                                          seed = P.seed }
local results = sp.experiment{
  population = population,
  packages = { status_quo, cars },
  start = "2020-01",
  months = P.months,
  replicates = P.replicates,
  seed = P.seed,
}:run()

local out = "03_scrappage/"

-- Headline table: one row per package.
local summary = results:summary()
print(summary)
assert(summary:write(out .. "summary", { "csv", "md" }))

-- Cars bought per month (city), and the change against the status quo.
local function monthly(metric, diff)
  return results:table{ rows = "package", metric = metric, by = "month", unit = "total",
                        diff = diff }
end
local purchases = monthly("car_purchases", false)
assert(purchases:write(out .. "car_purchases_by_month", { "csv", "md" }))
local change = monthly("car_purchases", true)
print(change)
assert(change:write(out .. "car_purchases_change", { "csv", "md" }))
assert(monthly("cars_scrapped", true):write(out .. "cars_scrapped_change", { "csv", "md" }))
assert(monthly("scrappage_subsidy", false):write(out .. "scrappage_subsidy_by_month",
                                                 { "csv", "md" }))
local subsidised = monthly("subsidised_cars", false)
assert(subsidised:write(out .. "subsidised_cars_by_month", { "csv", "md" }))

-- What the cars do to other spending: change per person by category and quarter.
local by_category = results:table{ package = cars.name, diff = true, by = "quarter" }
print(by_category)
assert(by_category:write(out .. "spending_change_by_category", { "csv", "md" }))

-- Additional purchases per programme transaction (the CARS studies: about 0.53)
-- and the dip after the programme, from the monthly tables.
local months = {}
for _, m in ipairs(change:col_labels()) do months[m] = true end
if months["2020-07"] and months["2020-08"] then
  local extra, paid, dip = 0, 0, 0
  for _, m in ipairs { "2020-07", "2020-08" } do
    extra = extra + change:value("CARS design", m)
    paid = paid + subsidised:value("CARS design", m)
  end
  for _, m in ipairs(change:col_labels()) do
    if m > "2020-08" then dip = dip + change:value("CARS design", m) end
  end
  print(string.format("July-August 2020: %.0f extra cars on %.0f subsidised purchases " ..
                      "(%s additional; CARS studies: about 0.53)", extra, paid,
                      paid > 0 and string.format("%.2f", extra / paid) or "n/a"))
  print(string.format("After the programme (to %s): %.0f cars (negative: purchases pulled forward)",
                      change:col_labels()[#change:col_labels()], dip))
end
