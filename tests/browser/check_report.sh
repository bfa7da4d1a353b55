#!/bin/sh
# check_report.sh: the browser test of the HTML report (CTest: report_browser).
#
# usage: check_report.sh MAKE_REPORT    (the tests/browser/make_report binary)
#
# Runs check_report.py beside it with Debian's /usr/bin/python3 (standard
# library only). Exit status: 0 passed, 1 failed, 77 skipped (no Python, or
# no Chromium and no way to install it). SPENDSIM_SCREENSHOT_OUT=FILE also
# copies the screenshot there; SPENDSIM_NO_INSTALL=1 never installs Chromium.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 2>/dev/null)
if [ -z "$py" ]; then
    echo "report_browser: SKIP: python3 is not installed" >&2
    exit 77
fi
exec "$py" "$here/check_report.py" "$@"
