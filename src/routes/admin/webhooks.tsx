// Admin → Webhooks (docs/EVENTS.md "Endpoints"): SUPER_ADMIN only, whatever access groups grant,
// since an endpoint receives every tenant's events it asks for. Every form is Post/Redirect/Get; a
// new signing secret travels once in the sealed flash (src/http/flash.ts) and is never shown again.
// Like a directory's token, replacing the secret or deleting asks for no recent sign-in: both are
// audited, the old secret keeps signing for 24 hours, and the session already proves a Super admin.
import { Hono } from "hono";
import { formatDateTime } from "../../../views/format";
import { WebhookEndpointPage } from "../../../views/pages/admin/webhook-endpoint-page";
import { WebhookEndpointsPage } from "../../../views/pages/admin/webhook-endpoints-page";
import { WebhookFormPage, type WebhookFormValues } from "../../../views/pages/admin/webhook-form-page";
import { ConfirmPage } from "../../../views/pages/confirm-page";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  pauseWebhookEndpoint,
  resendWebhookDelivery,
  resumeWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  webhookEndpointSchema,
} from "../../domain/webhooks/webhook-endpoints";
import {
  listWebhookEndpoints,
  loadWebhookEndpoint,
  loadWebhookEndpointPage,
  loadWebhookFormChoices,
  type WebhookEndpointSummary,
} from "../../domain/webhooks/webhook-endpoints-read";
import { currentPrincipal, requireAccess } from "../../http/access";
import { type AppContext, type AppEnv, domainContext } from "../../http/app-env";
import { setFlash, takeFlash, takeSecret } from "../../http/flash";
import {
  type FieldErrors,
  type FormValues,
  formList,
  formValue,
  handleForm,
  parseFormInput,
  readFormFields,
  readFormValues,
} from "../../http/forms";

const forbiddenDetail =
  "Only a Super admin can manage webhook endpoints: an endpoint receives the events of every tenant it asks for.";

const endpointForm = { fields: ["url", "description", "tenantId"], lists: ["eventTypes"] } as const;
const emptyForm: WebhookFormValues = { url: "", description: "", eventTypes: [], tenantId: "" };

function typedValues(values: FormValues): WebhookFormValues {
  return {
    url: formValue(values, "url"),
    description: formValue(values, "description"),
    eventTypes: formList(values, "eventTypes"),
    tenantId: formValue(values, "tenantId"),
  };
}

function endpointInput(typed: WebhookFormValues) {
  return parseFormInput(webhookEndpointSchema, { ...typed, tenantId: typed.tenantId || null });
}

/** How a message names an endpoint: its description (cut short) and host, as the audit log does. */
function named(endpoint: { url: string; description: string }): string {
  const host = new URL(endpoint.url).host;
  if (!endpoint.description) return host;
  const description = endpoint.description.length > 80 ? `${endpoint.description.slice(0, 79)}…` : endpoint.description;
  return `“${description}” (${host})`;
}

function whatItReceives(input: { eventTypes: string[]; tenantId: string | null }): string {
  const count = input.eventTypes.length;
  const types = count === 0 ? "every event type" : count === 1 ? "1 event type" : `${count} event types`;
  return `${types}, ${input.tenantId ? "of one tenant only" : "of every tenant and instance-wide"}`;
}

/** The add or edit form; `values` null: the endpoint's own (an edit form's first view). */
async function showForm(
  c: AppContext,
  endpointId: string | null,
  values: WebhookFormValues | null,
  errors: FieldErrors,
) {
  const ctx = domainContext(c);
  const loaded = endpointId ? await loadWebhookEndpoint(ctx, endpointId, { withTenantChoices: true }) : null;
  const { tenants } = loaded ?? (await loadWebhookFormChoices(ctx));
  const shown = values ?? (loaded ? toFormValues(loaded.endpoint) : emptyForm);
  return c.render(<WebhookFormPage endpointId={endpointId} tenants={tenants} values={shown} errors={errors} />, {
    title: endpointId ? "Edit webhook endpoint" : "Add webhook endpoint",
  });
}

function toFormValues(endpoint: WebhookEndpointSummary): WebhookFormValues {
  return {
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    tenantId: endpoint.tenant?.id ?? "",
  };
}

async function showEndpoint(c: AppContext) {
  const page = await loadWebhookEndpointPage(domainContext(c), c.req.param("id") ?? "");
  const flash = await takeFlash(c);
  const newSecret = takeSecret(flash, "webhook-secret", page.endpoint.id);
  return c.render(
    <WebhookEndpointPage
      timeZone={currentPrincipal(c).user.timeZone}
      page={page}
      newSecret={newSecret}
      secretWasShown={!newSecret && c.req.query("secret") !== undefined}
      flash={flash}
    />,
    { title: page.endpoint.description || new URL(page.endpoint.url).host },
  );
}

export const adminWebhookRoutes = new Hono<AppEnv>()
  .use(requireAccess({ kind: "console" }), requireAccess({ kind: "instance-admin" }, { forbiddenDetail }))
  .get("/", async (c) => {
    const { items, truncated } = await listWebhookEndpoints(domainContext(c));
    return c.render(
      <WebhookEndpointsPage
        timeZone={currentPrincipal(c).user.timeZone}
        rows={items}
        truncated={truncated}
        flash={await takeFlash(c)}
      />,
      { title: "Webhooks" },
    );
  })
  .get("/new", (c) => showForm(c, null, emptyForm, {}))
  .post("/", async (c) => {
    const form = await readFormFields(c, endpointForm);
    const typed = typedValues(form.values);
    return handleForm(c, form, {
      act: async () => {
        const { endpoint, secret } = await createWebhookEndpoint(domainContext(c), endpointInput(typed));
        await setFlash(c, {
          tone: "success",
          message: `The endpoint ${named(endpoint)} was added; it receives ${whatItReceives(endpoint)}. Copy its signing secret now: it is shown only once.`,
          secret: { kind: "webhook-secret", subject: endpoint.id, value: secret },
        });
        return c.redirect(`/admin/webhooks/${endpoint.id}?secret=new`, 303);
      },
      showAgain: (errors) => showForm(c, null, typed, errors),
    });
  })
  .get("/:id", (c) => showEndpoint(c))
  .get("/:id/edit", (c) => showForm(c, c.req.param("id"), null, {}))
  .post("/:id/edit", async (c) => {
    const id = c.req.param("id");
    const form = await readFormFields(c, endpointForm);
    const typed = typedValues(form.values);
    return handleForm(c, form, {
      act: async () => {
        const endpoint = await updateWebhookEndpoint(domainContext(c), id, endpointInput(typed));
        await setFlash(c, {
          tone: "success",
          message: `The endpoint ${named(endpoint)} was saved; it receives ${whatItReceives(endpoint)}.`,
        });
        return c.redirect(`/admin/webhooks/${id}`, 303);
      },
      showAgain: (errors) => showForm(c, id, typed, errors),
    });
  })
  .post("/:id/pause", async (c) => {
    await readFormValues(c, { fields: [] });
    const endpoint = await pauseWebhookEndpoint(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      tone: "success",
      message: `The endpoint ${named(endpoint)} is paused: it gets no events until it is resumed, and then only newer ones.`,
    });
    return c.redirect(`/admin/webhooks/${endpoint.id}`, 303);
  })
  .post("/:id/resume", async (c) => {
    await readFormValues(c, { fields: [] });
    const endpoint = await resumeWebhookEndpoint(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      tone: "success",
      message: `The endpoint ${named(endpoint)} is enabled again: it gets the events from now on; earlier ones are in the events API.`,
    });
    return c.redirect(`/admin/webhooks/${endpoint.id}`, 303);
  })
  .post("/:id/rotate-secret", async (c) => {
    await readFormValues(c, { fields: [] });
    const { endpoint, secret } = await rotateWebhookSecret(domainContext(c), c.req.param("id"));
    const until = formatDateTime(endpoint.previousSecretExpiresAt, currentPrincipal(c).user.timeZone);
    await setFlash(c, {
      tone: "success",
      message: `The endpoint ${named(endpoint)} has a new signing secret; the old one still signs beside it until ${until}. Copy the new one now: it is shown only once.`,
      secret: { kind: "webhook-secret", subject: endpoint.id, value: secret },
    });
    return c.redirect(`/admin/webhooks/${endpoint.id}?secret=new`, 303);
  })
  .get("/:id/delete", async (c) => {
    const { endpoint } = await loadWebhookEndpoint(domainContext(c), c.req.param("id"), { withTenantChoices: false });
    const title = `Delete the endpoint ${named(endpoint)}?`;
    return c.render(
      <ConfirmPage
        title={title}
        message="It gets no more events, and its queued deliveries and their attempts are deleted with it. The audit log keeps that it existed; to stop it for a while instead, pause it."
        action={`/admin/webhooks/${endpoint.id}/delete`}
        confirmLabel="Delete endpoint"
        cancelHref={`/admin/webhooks/${endpoint.id}`}
      />,
      { title },
    );
  })
  .post("/:id/delete", async (c) => {
    await readFormValues(c, { fields: [] });
    const endpoint = await deleteWebhookEndpoint(domainContext(c), c.req.param("id"));
    await setFlash(c, {
      tone: "success",
      message: `The endpoint ${named(endpoint)} was deleted with its queued deliveries.`,
    });
    return c.redirect("/admin/webhooks", 303);
  })
  .post("/:id/deliveries/:deliveryId/resend", async (c) => {
    await readFormValues(c, { fields: [] });
    const endpoint = await resendWebhookDelivery(domainContext(c), c.req.param("id"), c.req.param("deliveryId"));
    await setFlash(c, {
      tone: "success",
      message: `The delivery to ${named(endpoint)} is sent again now, with the same webhook-id and a fresh retry schedule.`,
      near: "attempts-heading",
    });
    return c.redirect(`/admin/webhooks/${endpoint.id}#attempts-heading`, 303);
  });
