import { describe, expect, it } from "vitest";
import { readLocalDateTime } from "../../src/http/time-input";

function instantOf(value: string, timeZone: string): string | null {
  const reading = readLocalDateTime(value, timeZone);
  if (!reading.valid) throw new Error(`refused ${value} in ${timeZone}: ${reading.message}`);
  return reading.iso;
}

function refusalOf(value: string, timeZone: string): string {
  const reading = readLocalDateTime(value, timeZone);
  if (reading.valid) throw new Error(`accepted ${value} in ${timeZone} as ${reading.iso}`);
  return reading.message;
}

describe("datetime-local values typed into forms", () => {
  it("reads a real local time in the viewer's zone, and nothing as no time", () => {
    expect(instantOf("2027-02-28T10:00", "Europe/Berlin")).toBe("2027-02-28T09:00:00.000Z");
    expect(instantOf("2027-07-01T10:00:30", "America/New_York")).toBe("2027-07-01T14:00:30.000Z");
    expect(instantOf("  ", "UTC")).toBeNull();
  });

  it("refuses a day that is not on the calendar instead of rolling into the next month", () => {
    expect(refusalOf("2027-02-30T10:00", "UTC")).toBe("There is no 30 February 2027.");
    expect(refusalOf("2027-02-29T10:00", "Europe/Berlin")).toBe("There is no 29 February 2027.");
    expect(instantOf("2028-02-29T10:00", "UTC")).toBe("2028-02-29T10:00:00.000Z");
    expect(refusalOf("2027-04-31T10:00", "UTC")).toBe("There is no 31 April 2027.");
  });

  it("refuses a month, hour or minute that does not exist instead of rolling into another year", () => {
    expect(refusalOf("2027-13-45T99:99", "UTC")).toContain("There is no month 13");
    expect(refusalOf("2027-00-10T10:00", "UTC")).toContain("There is no month 0");
    expect(refusalOf("2027-12-10T24:00", "UTC")).toContain("use 00:00 to 23:59");
    expect(refusalOf("2027-12-10T10:60", "UTC")).toContain("use 00:00 to 23:59");
    expect(refusalOf("2027-12-00T10:00", "UTC")).toContain("There is no day 0");
    expect(refusalOf("2027-12-10 10:00", "UTC")).toBe("Enter a date and time such as 2027-02-28T10:00.");
  });

  it("refuses a local time the clocks skip, naming the gap", () => {
    const berlin = refusalOf("2027-03-28T02:30", "Europe/Berlin");
    expect(berlin).toContain("There is no 02:30 on 28 March 2027 in Europe/Berlin");
    expect(berlin).toContain("the clocks go forward 60 minutes");
    expect(refusalOf("2027-03-14T02:00", "America/New_York")).toContain(
      "There is no 02:00 on 14 March 2027 in America/New_York",
    );
    expect(instantOf("2027-03-28T03:00", "Europe/Berlin")).toBe("2027-03-28T01:00:00.000Z");
    expect(instantOf("2027-03-28T01:59", "Europe/Berlin")).toBe("2027-03-28T00:59:00.000Z");
  });

  it("reads a local time that happens twice as its earlier instant, in every zone", () => {
    // 02:30 on 31 October 2027 happens at 00:30Z (summer time) and again at 01:30Z.
    expect(instantOf("2027-10-31T02:30", "Europe/Berlin")).toBe("2027-10-31T00:30:00.000Z");
    // 01:30 on 7 November 2027 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(instantOf("2027-11-07T01:30", "America/New_York")).toBe("2027-11-07T05:30:00.000Z");
    expect(instantOf("2027-10-31T03:00", "Europe/Berlin")).toBe("2027-10-31T02:00:00.000Z");
  });
});
