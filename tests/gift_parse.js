// Parse a GIFT file with gift-pegjs (an independent parser) and print the questions as JSON.
const parser = require("gift-pegjs");
const fs = require("fs");
process.stdout.write(JSON.stringify(parser.parse(fs.readFileSync(process.argv[2], "utf8"))));
