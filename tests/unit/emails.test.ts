import { UNKNOWN_VALUE } from "../../provider/core/validate";
import {
  checkNotificationEmails,
  emailProblem,
  MAX_NOTIFICATION_EMAILS,
  parseEmailList,
} from "../../provider/cpp/emails";

describe("emailProblem", () => {
  test.each([
    "ops@contoso.com",
    "first.last+tag@mail.contoso.co.uk",
    "o'brien@example.org",
    "release_bot@sub-domain.example.io",
    "zoë@exämple.de",
  ])("%p is plausible", (email) => {
    expect(emailProblem(email)).toBeUndefined();
  });

  test.each([
    ["", /empty/],
    ["ops@contoso.com,dev@contoso.com", /comma.*own list item/],
    ["ops @contoso.com", /whitespace/],
    ["ops@contoso.com dev@contoso.com", /whitespace/],
    ["ops\t@contoso.com", /whitespace/],
    ["contoso.com", /not an e-mail address/],
    ["@contoso.com", /not an e-mail address/],
    ["ops@", /not an e-mail address/],
    ["ops@localhost", /invalid domain/],
    ["ops@contoso..com", /invalid domain/],
    ["ops@-contoso.com", /invalid domain/],
    [".ops@contoso.com", /before the @/],
    ["o..ps@contoso.com", /before the @/],
    ["<ops@contoso.com>", /before the @|invalid domain/],
    ["ops;dev@contoso.com", /before the @/],
    [`${"a".repeat(250)}@contoso.com`, /longer than 254/],
  ])("%p is rejected (%p)", (email, reason) => {
    expect(emailProblem(email)).toMatch(reason);
  });
});

describe("checkNotificationEmails", () => {
  test("trims, drops repeats (ignoring case), keeps order", () => {
    expect(
      checkNotificationEmails([" ops@contoso.com ", "Dev@contoso.com", "OPS@contoso.com", "dev@contoso.com"]),
    ).toEqual({ value: ["ops@contoso.com", "Dev@contoso.com"], problems: [] });
  });

  test("names each bad element by index and says why", () => {
    const { problems } = checkNotificationEmails(["ops@contoso.com", "a@b.com,c@d.com", 42, "nope"]);
    expect(problems).toEqual([
      'notificationEmails[1] "a@b.com,c@d.com" contains a comma; give each address as its own list item.',
      "notificationEmails[2] must be a string, got number.",
      'notificationEmails[3] "nope" is not an e-mail address (expected name@domain.tld).',
    ]);
  });

  test("required, a list, not empty", () => {
    expect(checkNotificationEmails(undefined).problems[0]).toMatch(/required.*\["ops@contoso.com"\]/);
    expect(checkNotificationEmails([]).problems).toEqual([
      "notificationEmails must name at least one e-mail address.",
    ]);
    // A comma-separated string is the wire format, not the input format: say how to write it.
    expect(checkNotificationEmails("a@x.com, b@y.com").problems[0]).toBe(
      'notificationEmails must be a list of e-mail addresses, got string (write ["a@x.com","b@y.com"]).',
    );
  });

  test(`at most ${MAX_NOTIFICATION_EMAILS} distinct addresses`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@contoso.com`);
    expect(checkNotificationEmails(many(MAX_NOTIFICATION_EMAILS)).problems).toEqual([]);
    expect(checkNotificationEmails(many(MAX_NOTIFICATION_EMAILS + 1)).problems[0]).toMatch(
      /21 addresses; at most 20/,
    );
    // Repeats do not count against the limit.
    const repeated = [...many(MAX_NOTIFICATION_EMAILS), ...many(5)];
    expect(checkNotificationEmails(repeated).problems).toEqual([]);
  });

  test("values unknown during preview pass unchecked", () => {
    expect(checkNotificationEmails(UNKNOWN_VALUE)).toEqual({ value: UNKNOWN_VALUE, problems: [] });
    expect(checkNotificationEmails(["ops@contoso.com", UNKNOWN_VALUE])).toEqual({
      value: ["ops@contoso.com", UNKNOWN_VALUE],
      problems: [],
    });
  });
});

describe("parseEmailList (command line)", () => {
  test("splits on commas, allows spaces after them and a trailing comma", () => {
    expect(parseEmailList("a@x.com, b@y.com,").value).toEqual(["a@x.com", "b@y.com"]);
  });

  test("reports problems under the flag's name", () => {
    expect(parseEmailList("a@x.com b@y.com").problems[0]).toMatch(/^--notification-emails\[0\].*whitespace/);
    expect(parseEmailList("").problems[0]).toMatch(/at least one/);
    expect(parseEmailList("a@x.com,,b@y.com").problems[0]).toMatch(/\[1\] "" is empty/);
  });
});
