-- 02_vouchers.lua: four consumption-voucher designs of 2020, side by side,
-- against the status quo, on the Beijing population.
--
-- What it does
--   Runs five packages over 2020 (January to December):
--     Status quo        no vouchers (the baseline every difference is taken against);
--     Hangzhou design   Hangzhou's April 2020 e-vouchers: spend 40 get 10 off,
--                       five coupons a package, 1.5 million packages, first come,
--                       valid one week (applied to Beijing households);
--     Beijing June      the June 2020 catering/shopping package (60 yuan);
--     Beijing August    the August 2020 package 2 x (40-10) + (80-20) + (160-40);
--     Cash, targeted    a cash-like voucher (no threshold) with the government
--                       budget of the Hangzhou design, for the two lowest income
--                       quintiles.
--   Prints and writes, under <out>/02_vouchers/:
--     summary.csv/.md                   the headline table: government and merchant
--                                       cost, change in spending, causal multiplier,
--                                       gross leverage, coupons claimed/redeemed/expired;
--     spending_change_by_month.csv/.md  change in household spending against the
--                                       status quo, by package and month, yuan (city).
--
-- How to run it
--   spendsim run scenarios/02_vouchers.lua
--   spendsim run scenarios/02_vouchers.lua --set households=20000 --set replicates=2
--   spendsim check scenarios/02_vouchers.lua
--
-- Notes for analysts
--   Read the two ratios apart (docs/model.md section 3). The causal multiplier is the
--   extra spending of the same households with the same random draws without
--   the vouchers, divided by the government's cost. The gross leverage is what
--   governments report: the value of all purchases on which a coupon was used,
--   divided by the subsidy; it counts spending that would have happened anyway
--   and is always the larger of the two for threshold coupons.
--   Every package sees the same households and random draws (common random
--   numbers), so the differences carry little noise even at small samples.
--   Supplies count the city's packages; the sample is weighted to Beijing's
--   8.23 million family households, so `households` only changes the noise.
--   Sources: data/consumption_voucher_programs.csv.

local sp = require "spendsim"

local P = sp.params{
  households = 100000, -- sample households (weights scale them to Beijing)
  replicates = 5,      -- independent repetitions averaged in the tables
  months = 12,         -- months simulated from January 2020
  seed = 2020,         -- random seed of the population and the experiment
}

-- Catering and offline shopping, as the 2020 packages were accepted: food
-- (incl. restaurants), clothing, household goods and other goods and services.
local shops = { "food", "clothing", "household_goods", "other" }

local status_quo = sp.package{ name = "Status quo" }

-- (a) Hangzhou, 5th round, 2020-04-20: five 10-yuan coupons, each usable on a
-- purchase of at least 40 yuan; 1.5 million packages gone in about 105 s
-- (first come); valid one week. Government pays the whole discount.
local hangzhou = status_quo:with{ name = "Hangzhou design",
  sp.voucher{ name = "Hangzhou 40-10", face = 10, threshold = 40, coupons = 5,
              supply = 1.5e6, claim = "first_come", start = "2020-04-20", days = 7,
              categories = shops },
}

-- (b) Beijing, June 2020 (first batch 2020-06-06): a 60-yuan catering/shopping
-- package, 2 million packages, first come, valid 14 days, merchant top-up 1:1.
-- Assumption (the coupon structure of June is not in our sources): three
-- coupons of "spend 80, get 20 off", the 25 % discount of every published 2020
-- design (Hangzhou 40-10; Beijing August 40-10, 80-20, 160-40). We read the
-- 60 yuan as the discount at the till, of which merchants pay half (1:1), so
-- the government pays 30 yuan per package used.
local june = status_quo:with{ name = "Beijing June",
  sp.voucher{ name = "Beijing June 80-20", face = 20, threshold = 80, coupons = 3,
              supply = 2e6, claim = "first_come", start = "2020-06-06", days = 14,
              categories = shops, gov_share = 0.5, merchant_share = 0.5 },
}

-- (c) Beijing, August 2020 (batches 2020-08-08 and 08-18, modelled as one
-- hand-out on 08-08): a package of 2 x (40-10) + 1 x (80-20) + 1 x (160-40)
-- = 80 yuan face, valid 14 days, merchant top-up at least 0.5x, 2.8 million
-- coupons (2 m catering/shopping, 0.8 m smart products).
-- Modelled as three measures, one per coupon type, in one package:
--   * supplies: the data count coupons, so the 2 million catering/shopping
--     coupons are 500,000 packages of four; each measure hands out 500,000
--     packages: 2 x 500,000 coupons of 40-10, 500,000 of 80-20 and 500,000 of
--     160-40, i.e. 2 million coupons and 40 million yuan of face value. (If the
--     2 million counted packages instead, multiply the three supplies by 4.)
--   * the 0.8 million smart-product coupons (10 % off one order of at least
--     2,000 yuan) are a different instrument and are left out;
--   * shares: as in June, the face is the discount at the till and the
--     merchant top-up of 0.5x pays a third of it (gov_share 2/3). The source
--     also admits "merchants add 0.5x on top" (up to 120 yuan off on 320 yuan
--     of purchases); for that reading multiply the faces by 1.5 and keep the
--     shares: the government then pays the full 80 yuan;
--   * the three measures share a claim group, so they are claimed with the same
--     keys: the households that get one coupon type get all three, as with a
--     real package claimed whole; each coupon is then used on its own.
local august_voucher = { start = "2020-08-08", days = 14, claim = "first_come",
                         categories = shops, supply = 5e5, group = "Beijing August package",
                         gov_share = 2 / 3, merchant_share = 1 / 3 }
local function august(name, threshold, face, coupons)
  local def = { name = name, threshold = threshold, face = face, coupons = coupons }
  for k, v in pairs(august_voucher) do def[k] = v end
  return sp.voucher(def)
end
local august_pkg = status_quo:with{ name = "Beijing August",
  august("Beijing August 40-10", 40, 10, 2),
  august("Beijing August 80-20", 80, 20, 1),
  august("Beijing August 160-40", 160, 40, 1),
}

-- (d) Cash-like voucher with the Hangzhou design's government budget
-- (1.5 million packages x 50 yuan = 75 million yuan): one 50-yuan voucher
-- without threshold, valid for one month on any category, handed out in April
-- (with Hangzhou's, for a like-for-like comparison) to households of the two
-- lowest per-capita income quintiles, at most 1.5 million of them.
local cash = status_quo:with{ name = "Cash, targeted",
  sp.voucher{ name = "Cash 50 Q1-Q2", face = 50, threshold = 0, supply = 1.5e6,
              claim = "targeted", filter = "income_quintile <= 2",
              start = "2020-04", months = 1, categories = "all" },
}

local population = sp.population.beijing{ households = P.households, year = 2019,
                                          seed = P.seed }
local results = sp.experiment{
  population = population,
  packages = { status_quo, hangzhou, june, august_pkg, cash },
  start = "2020-01",
  months = P.months,
  replicates = P.replicates,
  seed = P.seed,
}:run()

-- Headline table: one row per package.
local summary = results:summary()
print(summary)
assert(summary:write("02_vouchers/summary", { "csv", "md" }))

-- Change in total household spending against the status quo, by month (yuan, city).
local by_month = results:table{ rows = "package", metric = "spending", diff = true,
                                by = "month", unit = "total" }
print(by_month)
assert(by_month:write("02_vouchers/spending_change_by_month", { "csv", "md" }))

-- The self-contained HTML report of the comparison.
assert(results:report("02_vouchers/report", { title = "Consumption vouchers compared" }))
