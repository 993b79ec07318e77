// Runs a polkit rules file the way polkitd does (polkit.addRule, polkit.Result, action.lookup, subject.isInGroup)
// for each case on standard input (a JSON array of {action, details, user, groups}) and prints one answer per
// line: yes, no, or not_handled. Used by render.PolkitRulesRenderTest; node only stands in for polkitd's duktape.
"use strict";
var fs = require("fs");
var rules = [];
var polkit = {
    Result: {YES: "yes", NO: "no", NOT_HANDLED: null, AUTH_ADMIN: "auth_admin", AUTH_SELF: "auth_self"},
    addRule: function (rule) { rules.push(rule); },
    log: function () {}
};
new Function("polkit", fs.readFileSync(process.argv[2], "utf8"))(polkit);
var cases = JSON.parse(fs.readFileSync(0, "utf8"));
cases.forEach(function (c) {
    var action = {id: c.action, lookup: function (key) { return c.details[key]; }};
    var subject = {user: c.user, isInGroup: function (group) { return c.groups.indexOf(group) >= 0; }};
    var answer = null;
    for (var i = 0; i < rules.length && answer === null; i++) {
        var result = rules[i](action, subject);
        answer = result === undefined ? null : result;
    }
    console.log(answer === null ? "not_handled" : answer);
});
