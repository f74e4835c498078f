// Registers each domain in the deployed Facteur and makes its DKIM key, through the admin API, when
// deploy has a token for it (the ADMIN_TOKEN it just generated, or FACTEUR_TOKEN), so that what is
// left for a person is the exact DNS records the Worker wants. Idempotent: GET before POST.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A freshly deployed workers.dev name can take a few seconds to answer: retry network errors and 5xx. */
async function request(fetchImpl, url, init, tries = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetchImpl(url, init);
      if (response.status < 500 || attempt >= tries) return response;
    } catch (error) {
      if (attempt >= tries) throw error;
    }
    await sleep(Number(process.env.FACTEUR_DEPLOY_RETRY_MS ?? 2000));
  }
}

export async function registerDomains({ url, token, domains, fetchImpl = fetch }) {
  const results = {};
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const api = (path, init = {}) => request(fetchImpl, `${url}/api/v1${path}`, { ...init, headers });
  for (const domain of domains) {
    try {
      const found = await api(`/domains/${domain}`);
      let registered = "exists";
      if (found.status === 404) {
        const created = await api("/domains", { method: "POST", body: JSON.stringify({ name: domain }) });
        if (created.status !== 201) throw new Error(`POST /domains answered ${created.status}`);
        registered = "created";
      } else if (!found.ok) throw new Error(`GET /domains/${domain} answered ${found.status}`);
      let state = await (await api(`/domains/${domain}/dkim`)).json();
      let dkim = "exists";
      if (!state.keys?.length) {
        const made = await api(`/domains/${domain}/dkim`, { method: "POST", body: "{}" });
        if (made.status !== 201) throw new Error(`POST /domains/${domain}/dkim answered ${made.status}`);
        state = await (await api(`/domains/${domain}/dkim`)).json();
        dkim = "created";
      }
      results[domain] = { registered, dkim, records: state.records ?? [] };
    } catch (error) {
      results[domain] = { error: error.message };
    }
  }
  return results;
}
