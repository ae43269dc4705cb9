package io.bulwark.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.bulwark.proto.v1.BulwarkGrpc;
import io.bulwark.proto.v1.ErrorCode;
import io.bulwark.proto.v1.GetReply;
import io.bulwark.proto.v1.GetRequest;
import io.bulwark.proto.v1.PutRequest;
import io.bulwark.proto.v1.SessionReply;
import io.bulwark.proto.v1.SessionRequest;
import io.bulwark.proto.v1.WriteReply;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Goal: a call on a {@code Session} stream gets exactly what its unary call would have answered
 * — the reply, or the status with its ErrorDetail — under its own call id, and no call's fate
 * ends the stream for the others; a client's half-close ends the stream only after the calls it
 * sent are answered. Method: {@link ClientSession} over in-process gRPC, serving through a stub
 * unary service whose handlers the test controls.
 */
class ClientSessionTest {
  /** Put answers "applied" at once unless its key says otherwise; get answers later. */
  private final LinkedBlockingQueue<StreamObserver<GetReply>> heldGets = new LinkedBlockingQueue<>();
  private final BulwarkGrpc.BulwarkImplBase unary = new BulwarkGrpc.BulwarkImplBase() {
    @Override
    public void put(PutRequest req, StreamObserver<WriteReply> reply) {
      switch (req.getKey().toStringUtf8()) {
        case "throw" -> throw new IllegalStateException("handler bug");
        case "not-primary" -> reply.onError(ApiErrors.notPrimary("ask n2", "n2", "h2:1"));
        case "no-value" -> answerLater(reply::onCompleted); // as the replica loop answers
        default -> {
          reply.onNext(WriteReply.newBuilder().setApplied(true).setVersion(7).build());
          reply.onCompleted();
        }
      }
    }

    @Override
    public void get(GetRequest req, StreamObserver<GetReply> reply) {
      heldGets.add(reply);
    }
  };

  /** Runs an answer on another thread, outside the session's handling of the request. */
  private static void answerLater(Runnable answer) {
    Thread t = new Thread(answer, "test-answer");
    t.start();
    try {
      t.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Server server;
  private ManagedChannel channel;
  /** The server's side of the last stream opened. */
  private volatile ServerCallStreamObserver<SessionReply> serverSide;

  @BeforeEach
  void setUp() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new BulwarkGrpc.BulwarkImplBase() {
          @Override
          public StreamObserver<SessionRequest> session(StreamObserver<SessionReply> out) {
            serverSide = (ServerCallStreamObserver<SessionReply>) out;
            return new ClientSession(unary, serverSide);
          }
        }).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  /** The client side of one stream: every reply, and how it ended. */
  private static final class Recorder implements StreamObserver<SessionReply> {
    final List<SessionReply> replies = new CopyOnWriteArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Throwable error;

    @Override
    public void onNext(SessionReply r) {
      replies.add(r);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      ended.countDown();
    }
  }

  private static SessionRequest put(long id, String key) {
    return SessionRequest.newBuilder().setCallId(id).setPut(PutRequest.newBuilder()
        .setKeyspace("ks").setKey(ByteString.copyFromUtf8(key))).build();
  }

  @Test
  void eachCallGetsItsUnaryAnswer_underItsId_andAFailedCallLeavesTheStreamOpen() {
    Recorder rec = new Recorder();
    StreamObserver<SessionRequest> calls = BulwarkGrpc.newStub(channel).session(rec);

    calls.onNext(put(1, "throw"));
    calls.onNext(put(2, "not-primary"));
    calls.onNext(put(3, "k"));
    calls.onNext(put(4, "no-value"));

    assertEquals(4, rec.replies.size(), "every call answered: " + rec.replies);
    SessionReply thrown = rec.replies.get(0);
    assertEquals(1, thrown.getCallId());
    assertEquals(Status.Code.INTERNAL.value(), thrown.getError().getStatusCode());
    assertFalse(thrown.getError().hasDetail(), "not a Bulwark error: no ErrorDetail");
    SessionReply refused = rec.replies.get(1);
    assertEquals(2, refused.getCallId());
    assertEquals(Status.Code.FAILED_PRECONDITION.value(), refused.getError().getStatusCode(),
        "the status the unary Put would have failed with");
    assertEquals(ErrorCode.NOT_PRIMARY, refused.getError().getDetail().getCode());
    assertEquals("h2:1", refused.getError().getDetail().getPrimaryHintAddress());
    SessionReply ok = rec.replies.get(2);
    assertEquals(3, ok.getCallId());
    assertTrue(ok.getPut().getApplied());
    assertEquals(7, ok.getPut().getVersion());
    SessionReply empty = rec.replies.get(3);
    assertEquals(4, empty.getCallId());
    assertEquals(Status.Code.INTERNAL.value(), empty.getError().getStatusCode(),
        "completed without a value: failed as gRPC fails such a unary call");
    assertEquals(1, rec.ended.getCount(), "the stream is still open");
    calls.onCompleted();
  }

  @Test
  void halfClose_endsTheStreamOnlyAfterTheCallsInFlightAreAnswered() throws Exception {
    Recorder rec = new Recorder();
    StreamObserver<SessionRequest> calls = BulwarkGrpc.newStub(channel).session(rec);
    calls.onNext(SessionRequest.newBuilder().setCallId(5).setGet(GetRequest.newBuilder()
        .setKeyspace("ks").setKey(ByteString.copyFromUtf8("k"))).build());
    StreamObserver<GetReply> held = heldGets.poll(5, TimeUnit.SECONDS);

    calls.onCompleted();

    assertEquals(1, rec.ended.getCount(), "a call is still in flight");
    held.onNext(GetReply.newBuilder().setFound(true).setValue(ByteString.copyFromUtf8("v"))
        .build());
    held.onCompleted();
    assertTrue(rec.ended.await(5, TimeUnit.SECONDS), "ended after the last answer");
    assertEquals(null, rec.error);
    assertEquals(1, rec.replies.size());
    assertEquals(5, rec.replies.get(0).getCallId());
    assertEquals("v", rec.replies.get(0).getGet().getValue().toStringUtf8());
  }

  @Test
  void answerAfterTheClientHalfClosedAndCancelled_isDropped_notThrownAtTheAnsweringThread()
      throws Exception {
    Recorder rec = new Recorder();
    var calls = (io.grpc.stub.ClientCallStreamObserver<SessionRequest>)
        BulwarkGrpc.newStub(channel).session(rec);
    calls.onNext(SessionRequest.newBuilder().setCallId(9).setGet(GetRequest.newBuilder()
        .setKeyspace("ks").setKey(ByteString.copyFromUtf8("k"))).build());
    StreamObserver<GetReply> held = heldGets.poll(5, TimeUnit.SECONDS);

    // Half-closed first, as a closing client does before it gives up and cancels: the server
    // then hears of the cancellation only through the cancel handler.
    calls.onCompleted();
    calls.cancel("client closing", null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!serverSide.isCancelled()) {
      assertTrue(System.nanoTime() < deadline, "the server never saw the cancellation");
      Thread.sleep(1);
    }

    // The replica loop answers late: this must neither throw nor reach the client.
    held.onNext(GetReply.getDefaultInstance());
    held.onCompleted();
    assertTrue(rec.replies.isEmpty());
  }
}
