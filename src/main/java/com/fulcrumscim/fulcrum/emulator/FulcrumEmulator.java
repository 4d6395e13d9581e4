package com.fulcrumscim.fulcrum.emulator;

import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful stand-in for Fulcrum's REST API (shared/fulcrum-api.md, "Decisions"), served over real
 * HTTP on loopback, for tests, the demo, benchmarks and {@code fulcrum.base_url: embedded}.
 *
 * <p>Served by the JDK's {@code com.sun.net.httpserver} rather than Javalin: it is in the JDK,
 * starts in milliseconds, and closing an exchange before sending headers closes the socket, which
 * is exactly the dropped connection a client must survive; a framework would answer 500 instead.
 *
 * <pre>{@code
 * try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().seed(Seed.demo()).build().start("127.0.0.1", 0)) {
 *   client = new HttpFulcrumClient(fulcrum.baseUrl(), fulcrum.token(), ...);
 *   fulcrum.faults().errorShare(0.2);
 *   ...
 *   assertThat(fulcrum.snapshotJson(unmanagedIds)).isEqualTo(before);
 * }
 * }</pre>
 */
public final class FulcrumEmulator implements AutoCloseable {
  private final OrgState org;
  private final Faults faults;
  private final CallCounter calls = new CallCounter();
  private final SlidingWindowLimiter limiter;
  private final ApiRoutes api;
  private volatile String token;
  private volatile boolean autoAddOwnerToCreatedGroups;
  private volatile boolean putAppliesEmailOnly;
  private volatile boolean memberChangesIgnored;
  private volatile boolean memberChangesAnsweredEmpty;
  private volatile boolean putsAnsweredEmpty;
  private volatile boolean descriptionsLeftOut;
  private volatile boolean userIdsLeftOut;
  private final Set<String> memberIdsLeftOut = ConcurrentHashMap.newKeySet();
  private final Set<GroupQuirk> groupQuirks = ConcurrentHashMap.newKeySet();
  private final Map<String, DeleteFault> deleteFaults = new ConcurrentHashMap<>();
  private HttpServer server;
  private ExecutorService executor;
  private String baseUrl;

  private FulcrumEmulator(Builder b) {
    this.token = b.token == null ? newToken() : b.token;
    this.autoAddOwnerToCreatedGroups = b.autoAddOwnerToCreatedGroups;
    this.putAppliesEmailOnly = b.putAppliesEmailOnly;
    this.faults = new Faults(b.clock, b.random).apply(b.faults);
    this.limiter = new SlidingWindowLimiter(b.callsPerHour, Duration.ofHours(1), b.clock);
    this.org = new OrgState(b.clock, new IdGenerator(b.random.nextLong()), b.seed.organizationName());
    try {
      org.insertOwner(b.ownerEmail, "Token", "Owner");
    } catch (ApiError e) {
      throw new IllegalArgumentException("emulator owner email '" + b.ownerEmail + "': " + e.getMessage());
    }
    b.seed.applyTo(org, b.seedSource);
    this.api = new ApiRoutes(org, new ApiRoutes.Settings() {
      @Override
      public boolean autoAddOwnerToCreatedGroups() {
        return FulcrumEmulator.this.autoAddOwnerToCreatedGroups;
      }

      @Override
      public boolean putAppliesEmailOnly() {
        return FulcrumEmulator.this.putAppliesEmailOnly;
      }

      @Override
      public boolean memberChangesIgnored() {
        return FulcrumEmulator.this.memberChangesIgnored;
      }

      @Override
      public boolean memberChangesAnsweredEmpty() {
        return FulcrumEmulator.this.memberChangesAnsweredEmpty;
      }

      @Override
      public boolean putsAnsweredEmpty() {
        return FulcrumEmulator.this.putsAnsweredEmpty;
      }

      @Override
      public boolean descriptionsLeftOut() {
        return FulcrumEmulator.this.descriptionsLeftOut;
      }

      @Override
      public boolean userIdsLeftOut() {
        return FulcrumEmulator.this.userIdsLeftOut;
      }

      @Override
      public void ownerRemoved() {
        faults.revokeToken();
      }

      @Override
      public boolean memberIdsLeftOut(String groupId) {
        return memberIdsLeftOut.contains(groupId);
      }

      @Override
      public DeleteFault deleteFault(String membershipId) {
        return deleteFaults.get(membershipId);
      }

      @Override
      public boolean groupQuirk(GroupQuirk quirk) {
        return groupQuirks.contains(quirk);
      }
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Listens on {@code host:port} (port 0: any free port) until {@link #stop()}. */
  public synchronized FulcrumEmulator start(String host, int port) {
    if (server != null) {
      throw new IllegalStateException("the emulator is already running at " + baseUrl);
    }
    try {
      noDelay();
      HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 256);
      AtomicInteger threads = new AtomicInteger();
      executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "fulcrum-emulator-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      s.setExecutor(executor);
      s.createContext("/", new EmulatorHttpHandler(api, new AdminRoutes(this), faults, limiter, calls, () -> token));
      s.start();
      server = s;
      String shownHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      baseUrl = "http://" + shownHost + ":" + s.getAddress().getPort();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("emulator: cannot listen on " + host + ":" + port, e);
    }
  }

  /**
   * The JDK server writes a response's headers and body in two segments; with Nagle's algorithm on
   * and the client's delayed ACK, every call then stalls about 40 ms (measured: 200 calls took 9 s,
   * with this 0.2 s). The server reads this property once, when the first server is made, so it is
   * set here unless someone chose a value already.
   */
  private static void noDelay() {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** Loopback, any free port. */
  public FulcrumEmulator start() {
    return start("127.0.0.1", 0);
  }

  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** {@code http://host:port}; clients append {@code /api/v2/...}. */
  public synchronized String baseUrl() {
    if (baseUrl == null) {
      throw new IllegalStateException("the emulator has not been started");
    }
    return baseUrl;
  }

  /** The API token the emulator accepts in {@code X-ApiToken}. */
  public String token() {
    return token;
  }

  /** Accepts {@code newToken} from now on (the old one gets 401) and lifts a revocation. */
  public void replaceToken(String newToken) {
    if (newToken == null || newToken.isBlank()) {
      throw new IllegalArgumentException("a token can't be blank");
    }
    token = newToken;
    faults.restoreToken();
  }

  public Faults faults() {
    return faults;
  }

  public CallCounter calls() {
    return calls;
  }

  /** Forgets the calls in every token's trailing hour. */
  public void resetRateLimit() {
    limiter.reset();
  }

  /** Whether groups created through the API get the token owner as a member (default true). */
  public void autoAddOwnerToCreatedGroups(boolean on) {
    autoAddOwnerToCreatedGroups = on;
  }

  /**
   * Whether {@code PUT /memberships/{id}.json} ignores role_id, first_name and last_name and still
   * answers 200 (default false): a Fulcrum that permits only the documented email, or a member of
   * several organizations, so the client's check of the answer is tested end to end.
   */
  public void putAppliesEmailOnly(boolean on) {
    putAppliesEmailOnly = on;
  }

  /**
   * Whether {@code POST /groups/change_permissions.json} changes nothing yet answers 200 with the
   * group as it is, member_ids included (default false): a Fulcrum that reads another root key than
   * the one sent, so the client's check of the answer is tested end to end.
   */
  public void memberChangesIgnored(boolean on) {
    memberChangesIgnored = on;
  }

  /**
   * Whether {@code POST /groups/change_permissions.json} is answered 200 {@code {}}, without the
   * group and its member_ids (default false): what a proxy in front of Fulcrum answers, or a
   * Fulcrum as its docs describe it (nothing returned). With {@link #memberChangesIgnored} too, a
   * change answered 2xx and not made that only a read of the group after it can tell.
   */
  public void memberChangesAnsweredEmpty(boolean on) {
    memberChangesAnsweredEmpty = on;
  }

  /**
   * Whether {@code PUT /memberships/{id}.json} is answered 200 {@code {}}, without the membership
   * (default false): what a proxy in front of Fulcrum answers. With {@link #putAppliesEmailOnly}
   * too, a role or name change answered 2xx and not made that only a read of the member after it
   * can tell.
   */
  public void putsAnsweredEmpty(boolean on) {
    putsAnsweredEmpty = on;
  }

  /**
   * Whether every group is answered without its description, in the list and read by id (default
   * false): a Fulcrum in which the bridge cannot tell the groups it made from ones made by hand.
   */
  public void descriptionsLeftOut(boolean on) {
    descriptionsLeftOut = on;
  }

  /**
   * Whether every membership is answered without user_id, listed, read by id and in a write's answer
   * (default false): a Fulcrum whose members carry no user account ids, so the token owner's
   * membership can be told only by its email.
   */
  public void userIdsLeftOut(boolean on) {
    userIdsLeftOut = on;
  }

  /**
   * Whether group {@code groupId} is answered without member_ids, in the list and read by id, even
   * with associations=true (default false): a Fulcrum whose answer leaves them out for one group.
   */
  public void memberIdsLeftOut(String groupId, boolean on) {
    if (on) {
      memberIdsLeftOut.add(groupId);
    } else {
      memberIdsLeftOut.remove(groupId);
    }
  }

  /** Whether groups are treated as {@code quirk} says (default: none is). */
  public void groupQuirk(GroupQuirk quirk, boolean on) {
    if (on) {
      groupQuirks.add(quirk);
    } else {
      groupQuirks.remove(quirk);
    }
  }

  /**
   * What {@code DELETE /memberships/{id}.json} of member {@code membershipId} does instead of
   * removing it plainly (null, the default: it removes it): one removal going wrong among several,
   * where {@link Faults#deletesIgnored} fails them all.
   */
  public void deleteFault(String membershipId, DeleteFault fault) {
    if (fault == null) {
      deleteFaults.remove(membershipId);
    } else {
      deleteFaults.put(membershipId, fault);
    }
  }

  /**
   * The API token now belongs to {@code membershipId}, an Owner: as when an admin the bridge
   * provisioned was made Owner and created the replacement token.
   */
  public void tokenOwnedBy(String membershipId) {
    org.transferOwnership(membershipId);
  }

  public String ownerMembershipId() {
    return org.ownerMembershipId();
  }

  /** Canonical JSON of every member and group, sorted by id: equal state, equal string. */
  public String snapshotJson() {
    return JsonViews.snapshot(org.allMembers(), org.allGroups(), List.of());
  }

  /** The same, for just these member and group ids; ids that no longer exist are listed as missing. */
  public String snapshotJson(Collection<String> ids) {
    Set<String> wanted = Set.copyOf(ids);
    List<Member> members = org.allMembers().stream().filter(m -> wanted.contains(m.id())).toList();
    List<Group> groups = org.allGroups().stream().filter(g -> wanted.contains(g.id())).toList();
    List<String> missing = new ArrayList<>(wanted);
    members.forEach(m -> missing.remove(m.id()));
    groups.forEach(g -> missing.remove(g.id()));
    return JsonViews.snapshot(members, groups, missing);
  }

  /** Every member, in creation order. */
  public List<FulcrumMember> members() {
    return org.allMembers().stream().map(this::toRecord).toList();
  }

  public Optional<FulcrumMember> member(String membershipId) {
    return org.hasMember(membershipId) ? Optional.of(toRecord(org.member(membershipId))) : Optional.empty();
  }

  /** Case-insensitive, as Fulcrum compares emails. */
  public Optional<FulcrumMember> memberByEmail(String email) {
    return org.memberByEmail(email).map(this::toRecord);
  }

  /** Every group with its member ids, in creation order. */
  public List<FulcrumGroup> groups() {
    return org.allGroups().stream().map(FulcrumEmulator::toRecord).toList();
  }

  public Optional<FulcrumGroup> group(String groupId) {
    return org.findGroup(groupId).map(FulcrumEmulator::toRecord);
  }

  public List<FulcrumRole> roles() {
    return org.roles().stream().map(r -> new FulcrumRole(r.id(), r.name(), r.system(), r.isDefault())).toList();
  }

  private FulcrumMember toRecord(Member m) {
    String roleName = org.role(m.roleId()).map(Role::name).orElse(null);
    return new FulcrumMember(m.id(), m.userId(), m.email(), m.firstName(), m.lastName(), m.roleId(), roleName, m.managed(), m.status());
  }

  private static FulcrumGroup toRecord(Group g) {
    return new FulcrumGroup(g.id(), g.name(), g.description(), g.memberIds());
  }

  private static String newToken() {
    byte[] bytes = new byte[20];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Everything has a default: a generated token, owner@fulcrum.example, an empty org, 5,000 calls an hour. */
  public static final class Builder {
    private String token;
    private String ownerEmail = "owner@fulcrum.example";
    private Seed seed = Seed.empty();
    private String seedSource = "(given in code)";
    private int callsPerHour = 5_000;
    private boolean autoAddOwnerToCreatedGroups = true;
    private boolean putAppliesEmailOnly;
    private Clock clock = Clock.systemUTC();
    private Random random = new Random();
    private FaultSettings faults = FaultSettings.none();

    private Builder() {}

    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** The token owner's email; it is seeded as an Owner member. */
    public Builder ownerEmail(String ownerEmail) {
      this.ownerEmail = ownerEmail;
      return this;
    }

    public Builder seed(Seed seed) {
      this.seed = seed;
      this.seedSource = "(given in code)";
      return this;
    }

    /** Reads the seed file now; a bad file is a {@link SeedException} with a one-line message. */
    public Builder seed(Path file) {
      this.seed = Seed.load(file);
      this.seedSource = file.toString();
      return this;
    }

    /** Calls one token may make in any trailing hour; 0 or less: no limit. */
    public Builder callsPerHour(int callsPerHour) {
      this.callsPerHour = callsPerHour;
      return this;
    }

    public Builder autoAddOwnerToCreatedGroups(boolean on) {
      this.autoAddOwnerToCreatedGroups = on;
      return this;
    }

    /** See {@link FulcrumEmulator#putAppliesEmailOnly(boolean)}. */
    public Builder putAppliesEmailOnly(boolean on) {
      this.putAppliesEmailOnly = on;
      return this;
    }

    /** Drives timestamps, the rate-limit window and outage deadlines. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Drives injected faults and generated ids: seed it for reproducible runs. */
    public Builder random(Random random) {
      this.random = random;
      return this;
    }

    /** Faults switched on from the start. */
    public Builder faults(FaultSettings faults) {
      this.faults = faults;
      return this;
    }

    public FulcrumEmulator build() {
      return new FulcrumEmulator(this);
    }
  }
}
